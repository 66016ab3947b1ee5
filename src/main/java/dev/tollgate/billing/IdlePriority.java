package dev.tollgate.billing;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the calling thread under Linux's SCHED_IDLE policy: it gets a core only when no other thread
 * wants one, so background work never holds up an event loop that wakes for a request. Elsewhere,
 * or when the system refuses, the thread keeps its priority. A thread cannot be raised again without
 * CAP_SYS_NICE, so use it only for a thread that stays in the background.
 */
final class IdlePriority {
  private static final Logger log = LoggerFactory.getLogger(IdlePriority.class);
  private static final int SCHED_IDLE = 5;

  private interface LibC extends Library {
    int sched_setscheduler(int pid, int policy, int[] param) throws LastErrorException;
  }

  private IdlePriority() {}

  /** True when the calling thread now runs under SCHED_IDLE. */
  static boolean lowerCallingThread() {
    if (!Platform.isLinux()) return false;
    try {
      // pid 0: the calling thread; the parameter is struct sched_param { int sched_priority; } = { 0 }
      Native.load("c", LibC.class).sched_setscheduler(0, SCHED_IDLE, new int[] {0});
      return true;
    } catch (LastErrorException | LinkageError e) {
      log.info("cannot lower the priority of thread {} (it keeps the normal one): {}", Thread.currentThread().getName(), e.toString());
      return false;
    }
  }
}
