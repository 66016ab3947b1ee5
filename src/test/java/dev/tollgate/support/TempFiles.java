package dev.tollgate.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Temporary files and directories for tests, deleted (directories with everything in them) when the test JVM exits,
 * so that a full run does not leave thousands of configs, price books and SQLite files in the system's temp
 * directory. A file a test must keep past that is not made here.
 */
public final class TempFiles {
  private static final List<Path> made = new ArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(TempFiles::deleteAll, "temp-files-cleanup"));
  }

  private TempFiles() {}

  /** A new empty file, e.g. {@code file("prices", ".yaml")}. */
  public static Path file(String prefix, String suffix) {
    try {
      return remember(Files.createTempFile(prefix, suffix));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A new file holding {@code content}. */
  public static Path file(String prefix, String suffix, String content) {
    Path p = file(prefix, suffix);
    try {
      return Files.writeString(p, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A new empty directory. */
  public static Path dir(String prefix) {
    try {
      return remember(Files.createTempDirectory(prefix));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static synchronized Path remember(Path p) {
    made.add(p);
    return p;
  }

  private static synchronized void deleteAll() {
    for (Path p : made) {
      try (Stream<Path> tree = Files.walk(p)) {
        tree.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException | UncheckedIOException e) {
        // gone already, or not ours to delete any more: nothing to clean
      }
    }
    made.clear();
  }
}
