package dev.tollgate.team;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;

/** Budget periods follow the UTC calendar: a day, an ISO week starting Monday, or a month. */
public enum BudgetPeriod {
  DAILY,
  WEEKLY,
  MONTHLY;

  public Instant start(Instant now) {
    LocalDate day = now.atZone(ZoneOffset.UTC).toLocalDate();
    LocalDate first = switch (this) {
      case DAILY -> day;
      case WEEKLY -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      case MONTHLY -> day.withDayOfMonth(1);
    };
    return first.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  public Instant end(Instant now) {
    LocalDate start = start(now).atZone(ZoneOffset.UTC).toLocalDate();
    LocalDate next = switch (this) {
      case DAILY -> start.plusDays(1);
      case WEEKLY -> start.plusWeeks(1);
      case MONTHLY -> start.plusMonths(1);
    };
    return next.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  private record CachedId(long day, String id) {}

  private volatile CachedId cachedId = new CachedId(Long.MIN_VALUE, null);

  /** The period's id at {@code now}, e.g. {@code monthly:2026-11-01T00:00:00Z}; cheap, remembered per UTC day. */
  public String id(Instant now) {
    long day = Math.floorDiv(now.getEpochSecond(), 86_400);
    CachedId c = cachedId;
    if (c.day() != day) {
      c = new CachedId(day, wireName() + ":" + start(now));
      cachedId = c;
    }
    return c.id();
  }

  public String wireName() {
    return name().toLowerCase();
  }
}
