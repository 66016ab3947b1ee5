package dev.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.GatewayFailure;
import dev.tollgate.team.Budget;
import dev.tollgate.team.BudgetPeriod;
import dev.tollgate.team.Limits;
import io.vertx.core.buffer.Buffer;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Reads and validates admin request bodies. Every problem is a 400 (not JSON) or a 422 naming the
 * field, raised before anything is written.
 */
final class AdminInput {
  private static final Pattern ID = Pattern.compile("^[a-z0-9][a-z0-9._-]{0,63}$");
  private static final BigDecimal MAX_USD = new BigDecimal("1000000000");
  /** The latest time a field may name: later ones fit neither the store's milliseconds nor anyone's plans. */
  static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");
  /** The largest limit, as in config: room to add reservations without overflowing. */
  private static final long MAX_LIMIT = Long.MAX_VALUE / 4;

  private final ObjectNode body;

  private AdminInput(ObjectNode body) {
    this.body = body;
  }

  static AdminInput parse(Buffer raw, Set<String> allowed) {
    JsonNode tree;
    if (raw == null || raw.length() == 0) {
      tree = AdminJson.JSON.createObjectNode();
    } else {
      try {
        tree = AdminJson.STRICT.readTree(raw.getBytes());
      } catch (Exception e) {
        throw new GatewayFailure(400, "invalid_request_error", "invalid_json", null,
            "The request body is not valid JSON (one JSON object, each key at most once).");
      }
    }
    if (!(tree instanceof ObjectNode o)) throw invalid(null, "the request body must be a JSON object");
    for (var it = o.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!allowed.contains(field)) {
        throw invalid(field, "unknown field '" + field + "' (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
      }
    }
    return new AdminInput(o);
  }

  static GatewayFailure invalid(String field, String message) {
    return new GatewayFailure(422, "invalid_request_error", "invalid_field", field, message);
  }

  boolean has(String field) {
    return body.has(field);
  }

  String id(String field) {
    String v = string(field, true);
    if (!ID.matcher(v).matches()) {
      throw invalid(field, "'" + field + "' must be 1-64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit");
    }
    return v;
  }

  String string(String field, boolean required) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      if (required) throw invalid(field, "'" + field + "' is required");
      return null;
    }
    if (!n.isTextual() || n.asText().isBlank()) throw invalid(field, "'" + field + "' must be a non-empty string");
    if (n.asText().length() > 200) throw invalid(field, "'" + field + "' must be at most 200 characters");
    return n.asText();
  }

  /** A budget object, or null when the field is absent or null (no budget). */
  Budget budget() {
    JsonNode n = body.get("budget");
    if (n == null || n.isNull()) return null;
    if (!n.isObject()) throw invalid("budget", "'budget' must be an object {usd, period}");
    for (var it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("usd") && !f.equals("period")) throw invalid("budget." + f, "unknown field 'budget." + f + "' (allowed: usd, period)");
    }
    JsonNode usd = n.get("usd");
    BigDecimal amount;
    try {
      if (usd == null || !(usd.isNumber() || usd.isTextual())) throw new NumberFormatException();
      amount = new BigDecimal(usd.asText());
    } catch (NumberFormatException e) {
      throw invalid("budget.usd", "'budget.usd' must be a number of US dollars");
    }
    if (amount.signum() < 0) throw invalid("budget.usd", "'budget.usd' must not be negative");
    if (amount.stripTrailingZeros().scale() > 9) throw invalid("budget.usd", "'budget.usd' has more than 9 decimal places");
    if (amount.compareTo(MAX_USD) > 0) throw invalid("budget.usd", "'budget.usd' is larger than 1000000000");
    JsonNode p = n.get("period");
    BudgetPeriod period = BudgetPeriod.MONTHLY;
    if (p != null && !p.isNull()) {
      try {
        period = BudgetPeriod.valueOf(p.asText().toUpperCase());
      } catch (IllegalArgumentException e) {
        throw invalid("budget.period", "'budget.period' must be daily, weekly or monthly");
      }
    }
    return new Budget(amount, period);
  }

  /** Limits, each field replacing the one in {@code base}; null in the body removes that limit. */
  Limits limits(Limits base) {
    JsonNode n = body.get("limits");
    if (n == null) return base;
    if (n.isNull()) return Limits.NONE;
    if (!n.isObject()) throw invalid("limits", "'limits' must be an object {rpm, tpm, concurrent}");
    for (var it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!Set.of("rpm", "tpm", "concurrent").contains(f)) {
        throw invalid("limits." + f, "unknown field 'limits." + f + "' (allowed: rpm, tpm, concurrent)");
      }
    }
    return new Limits(limit(n, "rpm", base.rpm()), limit(n, "tpm", base.tpm()), limit(n, "concurrent", base.concurrent()));
  }

  private static Long limit(JsonNode limits, String field, Long base) {
    if (!limits.has(field)) return base;
    JsonNode v = limits.get(field);
    if (v.isNull()) return null;
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 1 || v.asLong() > MAX_LIMIT) {
      throw invalid("limits." + field, "'limits." + field + "' must be a positive whole number up to " + MAX_LIMIT + ", or null");
    }
    return v.asLong();
  }

  List<String> models(Predicate<String> known) {
    JsonNode n = body.get("models");
    if (n == null || n.isNull()) return List.of();
    if (!n.isArray()) throw invalid("models", "'models' must be an array of model names");
    List<String> out = new ArrayList<>();
    for (JsonNode m : n) {
      if (!m.isTextual()) throw invalid("models", "'models' must be an array of model names");
      if (!known.test(m.asText())) throw invalid("models", "'" + m.asText() + "' is not a model this gateway routes");
      if (!out.contains(m.asText())) out.add(m.asText());
    }
    return List.copyOf(out);
  }

  Map<String, String> metadata() {
    JsonNode n = body.get("metadata");
    if (n == null || n.isNull()) return Map.of();
    if (!n.isObject()) throw invalid("metadata", "'metadata' must be an object of string values");
    Map<String, String> out = new LinkedHashMap<>();
    n.fields().forEachRemaining(e -> {
      if (!e.getValue().isTextual()) throw invalid("metadata." + e.getKey(), "metadata values must be strings");
      out.put(e.getKey(), e.getValue().asText());
    });
    return out;
  }

  Instant instant(String field, Instant notBefore) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) return null;
    Instant t;
    try {
      t = Instant.parse(n.asText());
    } catch (DateTimeParseException e) {
      throw invalid(field, "'" + field + "' must be an ISO-8601 time such as 2027-01-31T00:00:00Z");
    }
    if (!t.isAfter(notBefore)) throw invalid(field, "'" + field + "' must be in the future");
    if (t.isAfter(LATEST)) throw invalid(field, "'" + field + "' must be before the year 10000");
    return t;
  }

  /** A whole number of seconds from 0 to {@code max}. */
  Long seconds(String field, long max) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) return null;
    if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0 || n.asLong() > max) {
      throw invalid(field, "'" + field + "' must be a whole number of seconds from 0 to " + max);
    }
    return n.asLong();
  }
}
