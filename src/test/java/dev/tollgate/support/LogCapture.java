package dev.tollgate.support;

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

  public LogCapture() {
    appender.start();
    loggers.forEach(l -> l.addAppender(appender));
  }

  public List<String> lines() {
    // ListAppender adds under the appender's own lock (AppenderBase.doAppend is synchronized), not the list's
    synchronized (appender) {
      return appender.list.stream().map(e -> {
        String line = e.getFormattedMessage();
        if (e.getThrowableProxy() != null) line += " " + e.getThrowableProxy().getMessage();
        return line;
      }).collect(Collectors.toList());
    }
  }

  @Override
  public void close() {
    loggers.forEach(l -> l.detachAppender(appender));
  }
}
