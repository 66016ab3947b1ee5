package dev.tollgate.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.Test;

class IdlePriorityTest {
  private static final int SCHED_OTHER = 0;
  private static final int SCHED_IDLE = 5;

  @Test
  void the_billing_writers_background_thread_runs_only_when_a_core_is_otherwise_idle() throws Exception {
    assumeTrue(Platform.isLinux(), "SCHED_IDLE is Linux's");
    assertThat(onNewThread(IdlePriorityTest::policy)).isEqualTo(SCHED_OTHER);
    assertThat(onNewThread(() -> {
      assertThat(IdlePriority.lowerCallingThread()).isTrue();
      return policy();
    })).isEqualTo(SCHED_IDLE);
  }

  /** The calling thread's scheduling policy: field 41 of /proc/thread-self/stat (after the command name in parentheses). */
  private static int policy() throws Exception {
    String stat = Files.readString(Path.of("/proc/thread-self/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    return Integer.parseInt(fields[41 - 3]);
  }

  private static <T> T onNewThread(Callable<T> work) throws Exception {
    FutureTask<T> task = new FutureTask<>(work);
    Thread t = new Thread(task, "idle-priority-test");
    t.start();
    return task.get();
  }
}
