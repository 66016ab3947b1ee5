package dev.tollgate.billing;

import dev.tollgate.support.EmbeddedServers;
import dev.tollgate.support.TcpRelay;

class PostgresBillingTest extends BillingContract {
  @Override
  String newStore() {
    return EmbeddedServers.newPostgresStore();
  }

  /** PostgreSQL behind a relay that can cut every connection to it. */
  @Override
  Outage outageStore() {
    String direct = EmbeddedServers.newPostgresStore();
    TcpRelay relay = new TcpRelay(EmbeddedServers.postgres().getPort());
    String url = direct.replace(":" + EmbeddedServers.postgres().getPort() + "/", ":" + relay.port() + "/");
    return new Outage() {
      public String url() {
        return url;
      }

      public void cut() {
        relay.cut();
      }

      public void restore() {
        relay.restore();
      }

      public void close() {
        relay.close();
      }
    };
  }
}
