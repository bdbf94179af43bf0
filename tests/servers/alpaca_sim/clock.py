"""clock.py - the New York Stock Exchange's calendar: US/Eastern time by the
US daylight-saving rule, regular sessions 09:30-16:00 on weekdays that are
not full-day holidays (early closes are not modelled)."""

from datetime import date, datetime, time, timedelta, timezone

# NYSE full-day closures, 2023-2026 (New Year, MLK, Presidents, Good Friday,
# Memorial, Juneteenth, Independence, Labor, Thanksgiving, Christmas; observed
# dates, and the national day of mourning of 2025-01-09).
HOLIDAYS = {date.fromisoformat(day) for day in (
    "2023-01-02", "2023-01-16", "2023-02-20", "2023-04-07", "2023-05-29", "2023-06-19",
    "2023-07-04", "2023-09-04", "2023-11-23", "2023-12-25",
    "2024-01-01", "2024-01-15", "2024-02-19", "2024-03-29", "2024-05-27", "2024-06-19",
    "2024-07-04", "2024-09-02", "2024-11-28", "2024-12-25",
    "2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17", "2025-04-18", "2025-05-26",
    "2025-06-19", "2025-07-04", "2025-09-01", "2025-11-27", "2025-12-25",
    "2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25", "2026-06-19",
    "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25",
)}

OPEN_TIME, CLOSE_TIME = time(9, 30), time(16, 0)


def nth_sunday(year, month, n):
    first = date(year, month, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))


def eastern_zone(moment):
    """EDT from the second Sunday of March 02:00 EST to the first Sunday of
    November 02:00 EDT, EST otherwise."""
    utc = moment.astimezone(timezone.utc)
    starts = datetime.combine(nth_sunday(utc.year, 3, 2), time(7), timezone.utc)
    ends = datetime.combine(nth_sunday(utc.year, 11, 1), time(6), timezone.utc)
    return timezone(timedelta(hours=-4 if starts <= utc < ends else -5))


def eastern(moment):
    return moment.astimezone(eastern_zone(moment))


def eastern_at(day, wall):
    """The moment a New York wall clock shows `wall` on `day`."""
    guess = datetime.combine(day, wall, timezone(timedelta(hours=-5)))
    return datetime.combine(day, wall, eastern_zone(guess))


def new_york_date(moment):
    return eastern(moment).date()


def is_trading_day(day):
    return day.weekday() < 5 and day not in HOLIDAYS


def is_open(moment):
    local = eastern(moment)
    return is_trading_day(local.date()) and OPEN_TIME <= local.time() < CLOSE_TIME


def next_session_edge(moment, wall):
    """The first time after `moment` that the clock shows `wall` on a trading day."""
    day = eastern(moment).date()
    while True:
        edge = eastern_at(day, wall)
        if is_trading_day(day) and edge > moment:
            return edge
        day += timedelta(days=1)


def clock_object(moment):
    return {"timestamp": eastern(moment).isoformat(timespec="microseconds"),
            "is_open": is_open(moment),
            "next_open": next_session_edge(moment, OPEN_TIME).isoformat(),
            "next_close": next_session_edge(moment, CLOSE_TIME).isoformat()}
