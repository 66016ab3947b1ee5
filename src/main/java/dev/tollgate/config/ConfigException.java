package dev.tollgate.config;

/** A configuration mistake: the message names the file, the key path and what is wrong. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message, null, false, false);
  }

  public static ConfigException at(String file, String path, String problem) {
    return new ConfigException(file + ": " + (path.isEmpty() ? "(top level)" : path) + ": " + problem);
  }
}
