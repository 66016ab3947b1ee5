package dev.tollgate.server;

/** Whether the gateway takes traffic: false until started and again once draining for shutdown. */
public final class Readiness {
  private volatile boolean ready;
  private volatile boolean draining;

  public boolean isReady() {
    return ready && !draining;
  }

  public void started() {
    ready = true;
  }

  public void draining() {
    draining = true;
  }
}
