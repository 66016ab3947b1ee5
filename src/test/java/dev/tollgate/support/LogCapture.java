package dev.tollgate.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** Captures every log line (root and access log) while open, to assert what never reaches a log. */
public final class LogCapture implements AutoCloseable {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final List<Logger> loggers = List.of(
      (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME),
      (Logger) LoggerFactory.getLogger("tollgate.access"));

  private final List<Runnable> restore = new java.util.ArrayList<>();

  public LogCapture() {
    appender.start();
    loggers.forEach(l -> l.addAppender(appender));
  }

  public List<String> lines() {
    return lines(Level.ALL);
  }

  /** The lines logged at {@code level} or above, each with its exception's message (if it has one). */
  public List<String> lines(Level level) {
    // ListAppender adds under the appender's own lock (AppenderBase.doAppend is synchronized), not the list's
    synchronized (appender) {
      return appender.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(level)).map(e -> {
        String line = e.getFormattedMessage();
        if (e.getThrowableProxy() != null) line += " " + e.getThrowableProxy().getMessage();
        return line;
      }).collect(Collectors.toList());
    }
  }

  /** Lets {@code logger} log at {@code level} until this capture closes (to see what a class logs at debug). */
  public LogCapture enable(Class<?> logger, Level level) {
    Logger l = (Logger) LoggerFactory.getLogger(logger);
    Level before = l.getLevel();
    l.setLevel(level);
    restore.add(() -> l.setLevel(before));
    return this;
  }

  @Override
  public void close() {
    loggers.forEach(l -> l.detachAppender(appender));
    restore.forEach(Runnable::run);
  }
}
