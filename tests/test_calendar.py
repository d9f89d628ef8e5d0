"""Tests for interpreter.calendar: working-day counts, calendar arithmetic and span ranges.

Each hand-checked example reproduces the printed calendar it was checked
against: `*` marks day 0 (the trigger, or the event when counting before it),
`!` the expected result, `H` a bank holiday and `C` a local closure day. The
count line numbers the working days 1..N in counting order.
"""

import calendar as stdlib_calendar
import pickle
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interpreter.calendar import (
    CALENDAR_NAMES,
    DEFAULT_CALENDAR,
    FIRST_YEAR,
    LAST_YEAR,
    UNITS,
    CalendarError,
    DateOutsideCalendar,
    UnknownCalendar,
    WorkingCalendar,
    add_months,
    get_calendar,
)

ENGLAND = "england-and-wales"
SCOTLAND = "scotland"
NORTHERN_IRELAND = "northern-ireland"
CHRISTMAS_2024_CLOSURES = (date(2024, 12, 27), date(2024, 12, 30), date(2024, 12, 31))


def working_days_after(anchor, amount, calendar_name=ENGLAND, closures=()):
    return get_calendar(calendar_name, closures).add(anchor, amount, "working_days")


def working_days_before(anchor, amount, calendar_name=ENGLAND, closures=()):
    return get_calendar(calendar_name, closures).subtract(anchor, amount, "working_days")


# The three worked examples of timescales.md, "Working days".


def test_worked_example_rapid_review_skips_the_state_funeral():
    """15 working days after Mon 12 Sep 2022 is Tue 4 Oct 2022, skipping the State Funeral.

    Mo  Tu  We  Th  Fr  Sa  Su
    12* 13  14  15  16  17  18   September 2022
    19H 20  21  22  23  24  25
    26  27  28  29  30   1   2   October 2022 from the 1st
     3   4!  5   6   7   8   9
    H: 19 Sep State Funeral of Queen Elizabeth II
    count: 13=1 14=2 15=3 16=4 20=5 21=6 22=7 23=8 26=9 27=10 28=11 29=12 30=13 3 Oct=14 4 Oct=15
    """
    assert working_days_after(date(2022, 9, 12), 15) == date(2022, 10, 4)


def test_worked_example_notification_over_christmas():
    """5 working days after Fri 20 Dec 2024 is Tue 31 Dec 2024.

    Mo  Tu  We  Th  Fr  Sa  Su
    16  17  18  19  20* 21  22   December 2024
    23  24  25H 26H 27  28  29
    30  31!  1H  2   3   4   5   January 2025 from the 1st
    H: 25 Dec Christmas Day; 26 Dec Boxing Day; 1 Jan New Year's Day
    count: 23=1 24=2 27=3 30=4 31=5
    """
    assert working_days_after(date(2024, 12, 20), 5) == date(2024, 12, 31)


def test_worked_example_publication_before_easter():
    """7 working days before Tue 14 Apr 2026 is Wed 1 Apr 2026, skipping Easter.

    Mo  Tu  We  Th  Fr  Sa  Su
    30  31   1!  2   3H  4   5   March 2026, April 2026 from the 1st
     6H  7   8   9  10  11  12
    13  14* 15  16  17  18  19
    H: 3 Apr Good Friday; 6 Apr Easter Monday
    count: 13=1 10=2 9=3 8=4 7=5 2=6 1=7
    """
    assert working_days_before(date(2026, 4, 14), 7) == date(2026, 4, 1)


# One-off bank holidays.


def test_ve_day_2020_moves_the_early_may_holiday_to_friday_8_may():
    """In 2020 the early May holiday is Fri 8 May (VE Day), so Mon 4 May is a working day.

    Mo  Tu  We  Th  Fr  Sa  Su
     4*  5   6   7   8H  9  10   May 2020
    11  12! 13  14  15  16  17
    H: 8 May May Day (moved for VE Day)
    count: 5=1 6=2 7=3 11=4 12=5
    """
    england = get_calendar(ENGLAND)
    assert england.is_working_day(date(2020, 5, 4))
    assert not england.is_working_day(date(2020, 5, 8))
    assert working_days_after(date(2020, 5, 4), 5) == date(2020, 5, 12)


def test_platinum_jubilee_2022_makes_2_and_3_june_holidays():
    """The spring holiday moved to Thu 2 Jun 2022 and the Jubilee is Fri 3 Jun 2022.

    Mo  Tu  We  Th  Fr  Sa  Su
    30  31*  1   2H  3H  4   5   May 2022, June 2022 from the 1st
     6   7!  8   9  10  11  12
    H: 2 Jun Spring Bank Holiday; 3 Jun Platinum Jubilee of Elizabeth II
    count: 1 Jun=1 6 Jun=2 7 Jun=3
    """
    assert working_days_after(date(2022, 5, 31), 3) == date(2022, 6, 7)


def test_last_monday_of_may_2022_is_a_working_day():
    """With the spring holiday moved to June, Mon 30 May 2022 counts as a working day.

    Mo  Tu  We  Th  Fr  Sa  Su
    23  24  25  26  27* 28  29   May 2022
    30! 31   1   2H  3H  4   5   June 2022 from the 1st
    H: 2 Jun Spring Bank Holiday; 3 Jun Platinum Jubilee of Elizabeth II
    count: 30=1
    """
    assert working_days_after(date(2022, 5, 27), 1) == date(2022, 5, 30)


def test_state_funeral_2022_is_skipped():
    """The State Funeral on Mon 19 Sep 2022 is not a working day.

    Mo  Tu  We  Th  Fr  Sa  Su
    12  13  14  15  16* 17  18   September 2022
    19H 20! 21  22  23  24  25
    H: 19 Sep State Funeral of Queen Elizabeth II
    count: 20=1
    """
    assert working_days_after(date(2022, 9, 16), 1) == date(2022, 9, 20)


def test_coronation_2023_is_skipped_as_well_as_may_day():
    """Both Mon 1 May (May Day) and Mon 8 May 2023 (the Coronation) are skipped.

    Mo  Tu  We  Th  Fr  Sa  Su
    24  25  26  27  28* 29  30   April 2023
     1H  2   3   4   5   6   7   May 2023 from the 1st
     8H  9  10! 11  12  13  14
    H: 1 May May Day; 8 May Coronation of Charles III
    count: 2 May=1 3 May=2 4 May=3 5 May=4 9 May=5 10 May=6
    """
    assert working_days_after(date(2023, 4, 28), 6) == date(2023, 5, 10)


def test_millennium_holiday_1999_is_skipped():
    """Fri 31 Dec 1999 (Millennium) and the substitute days around it are all skipped.

    Mo  Tu  We  Th  Fr  Sa  Su
    20  21  22* 23  24  25H 26H   December 1999
    27H 28H 29  30  31H  1H  2   January 2000 from the 1st
     3H  4!  5   6   7   8   9
    H: 25 Dec Christmas Day; 26 Dec Boxing Day; 27 Dec Christmas Day (observed);
       28 Dec Boxing Day (observed); 31 Dec Millennium Celebrations; 1 Jan New Year's Day;
       3 Jan New Year's Day (observed)
    count: 23=1 24=2 29=3 30=4 4 Jan=5
    """
    assert working_days_after(date(1999, 12, 22), 5) == date(2000, 1, 4)


# Substitute days, Easter and New Year.


def test_christmas_2021_at_a_weekend_gives_substitutes_on_27_and_28_december():
    """Christmas 2021 fell on Sat/Sun, so Mon 27 and Tue 28 Dec are holidays.

    Mo  Tu  We  Th  Fr  Sa  Su
    20  21  22  23  24* 25H 26H   December 2021
    27H 28H 29! 30  31   1H  2   January 2022 from the 1st
    H: 25 Dec Christmas Day; 26 Dec Boxing Day; 27 Dec Christmas Day (observed);
       28 Dec Boxing Day (observed); 1 Jan New Year's Day
    count: 29=1
    """
    assert working_days_after(date(2021, 12, 24), 1) == date(2021, 12, 29)


def test_christmas_2022_on_a_sunday_gives_a_substitute_on_27_december():
    """Christmas 2022 fell on a Sunday, so Tue 27 Dec is its substitute after Boxing Day.

    Mo  Tu  We  Th  Fr  Sa  Su
    19  20  21  22  23* 24  25H   December 2022
    26H 27H 28  29! 30  31   1H   January 2023 from the 1st
    H: 25 Dec Christmas Day; 26 Dec Boxing Day; 27 Dec Christmas Day (observed); 1 Jan New Year's Day
    count: 28=1 29=2
    """
    assert working_days_after(date(2022, 12, 23), 2) == date(2022, 12, 29)


def test_new_year_2023_on_a_sunday_gives_a_substitute_on_2_january():
    """New Year's Day 2023 fell on a Sunday, so Mon 2 Jan 2023 is skipped.

    Mo  Tu  We  Th  Fr  Sa  Su
    26H 27H 28  29  30* 31   1H   December 2022, January 2023 from the 1st
     2H  3!  4   5   6   7   8
    H: 26 Dec Boxing Day; 27 Dec Christmas Day (observed); 1 Jan New Year's Day;
       2 Jan New Year's Day (observed)
    count: 3 Jan=1
    """
    assert working_days_after(date(2022, 12, 30), 1) == date(2023, 1, 3)


def test_easter_2024_skips_good_friday_and_easter_monday():
    """Good Friday 29 Mar and Easter Monday 1 Apr 2024 are both skipped in England and Wales.

    Mo  Tu  We  Th  Fr  Sa  Su
    25  26  27  28* 29H 30  31   March 2024
     1H  2!  3   4   5   6   7   April 2024 from the 1st
    H: 29 Mar Good Friday; 1 Apr Easter Monday
    count: 2 Apr=1
    """
    assert working_days_after(date(2024, 3, 28), 1) == date(2024, 4, 2)


# Anchors that are not working days, and counting before.


def test_saturday_anchor_is_day_0():
    """A Saturday trigger is day 0 and the following Monday is day 1.

    Mo  Tu  We  Th  Fr  Sa  Su
    10  11  12  13  14  15* 16   June 2024
    17  18  19  20  21! 22  23
    count: 17=1 18=2 19=3 20=4 21=5
    """
    assert working_days_after(date(2024, 6, 15), 1) == date(2024, 6, 17)
    assert working_days_after(date(2024, 6, 15), 5) == date(2024, 6, 21)


def test_sunday_event_counting_before_starts_on_friday():
    """One working day before a Sunday event is the Friday before it.

    Mo  Tu  We  Th  Fr  Sa  Su
    10  11  12  13  14! 15  16*   June 2024
    count: 14=1
    """
    assert working_days_before(date(2024, 6, 16), 1) == date(2024, 6, 14)


def test_bank_holiday_anchor_is_day_0():
    """A trigger on a bank holiday is day 0 and the next working day is day 1.

    Mo  Tu  We  Th  Fr  Sa  Su
    26* 27! 28  29  30  31   1   August 2024, September 2024 from the 1st
    H: 26 Aug Late Summer Bank Holiday (the anchor itself)
    count: 27=1
    """
    assert working_days_after(date(2024, 8, 26), 1) == date(2024, 8, 27)


def test_good_friday_anchor_skips_easter_monday():
    """A trigger on Good Friday 2024 is day 0; Easter Monday is skipped, so day 2 is Wed 3 Apr.

    Mo  Tu  We  Th  Fr  Sa  Su
    25  26  27  28  29* 30  31   March 2024
     1H  2   3!  4   5   6   7   April 2024 from the 1st
    H: 29 Mar Good Friday (the anchor itself); 1 Apr Easter Monday
    count: 2 Apr=1 3 Apr=2
    """
    assert working_days_after(date(2024, 3, 29), 2) == date(2024, 4, 3)


def test_counting_before_skips_christmas_and_new_year():
    """3 working days before Thu 2 Jan 2025 is Fri 27 Dec 2024.

    Mo  Tu  We  Th  Fr  Sa  Su
    23  24  25H 26H 27! 28  29   December 2024
    30  31   1H  2*  3   4   5   January 2025 from the 1st
    H: 25 Dec Christmas Day; 26 Dec Boxing Day; 1 Jan New Year's Day
    count: 31 Dec=1 30 Dec=2 27 Dec=3
    """
    assert working_days_before(date(2025, 1, 2), 3) == date(2024, 12, 27)


def test_zero_working_days_returns_the_anchor_even_at_a_weekend():
    """A count of 0 working days returns the anchor unchanged, even on a Saturday.

    Mo  Tu  We  Th  Fr  Sa  Su
    10  11  12  13  14  15* 16   June 2024
    count: none; the result is day 0 itself
    """
    england = get_calendar(ENGLAND)
    assert england.add(date(2024, 6, 15), 0, "working_days") == date(2024, 6, 15)
    assert england.subtract(date(2024, 6, 15), 0, "working_days") == date(2024, 6, 15)


def test_working_days_on_a_datetime_keep_the_time_of_day():
    """Counting working days from a datetime uses its date and keeps its time of day.

    Mo  Tu  We  Th  Fr  Sa  Su
    10  11  12  13  14* 15  16   June 2024  (day 0 is Fri 14 at 16:45)
    17! 18  19  20  21  22  23
    count: 17=1, so Mon 17 Jun at 16:45
    """
    result = get_calendar(ENGLAND).add(datetime(2024, 6, 14, 16, 45), 1, "working_days")
    assert result == datetime(2024, 6, 17, 16, 45)


# Calendar months and years.


def test_31_january_plus_one_month_clamps_to_the_end_of_february():
    """31 Jan + 1 month is 28 Feb in 2023 and 29 Feb in the leap year 2024.

    Mo  Tu  We  Th  Fr  Sa  Su
    30  31*  1   2   3   4   5   January 2023, February 2023 from the 1st
     6   7   8   9  10  11  12
    13  14  15  16  17  18  19
    20  21  22  23  24  25  26
    27  28!  1   2   3   4   5   March 2023 from the 1st
    February 2023 has no 31st, so the result is its last day; in 2024 that is Thu 29 Feb.
    """
    england = get_calendar(ENGLAND)
    assert england.add(date(2023, 1, 31), 1, "months") == date(2023, 2, 28)
    assert england.add(date(2024, 1, 31), 1, "months") == date(2024, 2, 29)


def test_31_august_plus_six_months_reaches_29_february_in_a_leap_year():
    """31 Aug 2023 + 6 months is Thu 29 Feb 2024 (and 31 Aug 2022 + 6 months is 28 Feb 2023).

    Mo  Tu  We  Th  Fr  Sa  Su
    28  29  30  31*  1   2   3   August 2023, September 2023 from the 1st
    ...   (Sep 1, Oct 2, Nov 3, Dec 4, Jan 5: six months on from August is February)
    26  27  28  29!  1   2   3   February 2024, March 2024 from the 1st
    February 2024 has 29 days, so the 31st clamps to the 29th.
    """
    england = get_calendar(ENGLAND)
    assert england.add(date(2023, 8, 31), 6, "months") == date(2024, 2, 29)
    assert england.add(date(2022, 8, 31), 6, "months") == date(2023, 2, 28)


def test_29_february_plus_one_year_clamps_to_28_february():
    """29 Feb 2024 + 1 year is 28 Feb 2025, and + 4 years is 29 Feb 2028.

    Mo  Tu  We  Th  Fr  Sa  Su
    26  27  28  29*  1   2   3   February 2024, March 2024 from the 1st
    24  25  26  27  28!  1   2   February 2025, March 2025 from the 1st
    28  29   1   2   3   4   5   February 2028, March 2028 from the 1st
    """
    england = get_calendar(ENGLAND)
    assert england.add(date(2024, 2, 29), 1, "years") == date(2025, 2, 28)
    assert england.add(date(2024, 2, 29), 4, "years") == date(2028, 2, 29)


def test_months_before_clamp_to_the_end_of_the_earlier_month():
    """31 Mar 2024 - 1 month is 29 Feb 2024, both through subtract and add_months with a negative n.

    Mo  Tu  We  Th  Fr  Sa  Su
    26  27  28  29!  1   2   3   February 2024, March 2024 from the 1st
    ...
    25  26  27  28  29  30  31*
    """
    assert get_calendar(ENGLAND).subtract(date(2024, 3, 31), 1, "months") == date(2024, 2, 29)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert add_months(date(2024, 1, 15), -13) == date(2022, 12, 15)


def test_days_and_weeks_are_plain_calendar_arithmetic():
    """Days and weeks ignore weekends and holidays: 5 days after Christmas Eve 2024 is 29 Dec.

    Mo  Tu  We  Th  Fr  Sa  Su
    23  24* 25H 26H 27  28  29!   December 2024
    30  31   1H  2   3   4   5   January 2025 from the 1st
     6   7   8   9  10  11  12
    13  14  15  16  17  18  19
    count in days: 25=1 26=2 27=3 28=4 29=5; 3 weeks after Tue 24 Dec is Tue 14 Jan
    """
    england = get_calendar(ENGLAND)
    assert england.add(date(2024, 12, 24), 5, "days") == date(2024, 12, 29)
    assert england.add(date(2024, 12, 24), 3, "weeks") == date(2025, 1, 14)
    assert england.subtract(date(2025, 1, 14), 3, "weeks") == date(2024, 12, 24)


# Hours.


def test_hours_run_across_midnight():
    """5 hours after Fri 14 Jun 2024 22:30 is Sat 15 Jun 03:30.

    Mo  Tu  We  Th  Fr  Sa  Su
    10  11  12  13  14* 15! 16   June 2024  (22:30 + 1:30 to midnight + 3:30)
    """
    result = get_calendar(ENGLAND).add(datetime(2024, 6, 14, 22, 30), 5, "hours")
    assert result == datetime(2024, 6, 15, 3, 30)


def test_hours_run_through_a_weekend():
    """48 hours after Fri 14 Jun 2024 18:00 is Sun 16 Jun 18:00; the weekend is not skipped.

    Mo  Tu  We  Th  Fr  Sa  Su
    10  11  12  13  14* 15  16!   June 2024
    17  18  19  20  21  22  23    (72 hours reaches Mon 17 at 18:00)
    """
    england = get_calendar(ENGLAND)
    assert england.add(datetime(2024, 6, 14, 18), 48, "hours") == datetime(2024, 6, 16, 18)
    assert england.add(datetime(2024, 6, 14, 18), 72, "hours") == datetime(2024, 6, 17, 18)
    assert england.subtract(datetime(2024, 6, 17, 18), 72, "hours") == datetime(2024, 6, 14, 18)


def test_hours_from_a_date_start_at_midnight_and_give_a_datetime():
    """24 hours after the date Fri 14 Jun 2024 is the datetime Sat 15 Jun 00:00.

    Mo  Tu  We  Th  Fr  Sa  Su
    10  11  12  13  14* 15! 16   June 2024  (14 Jun 00:00 + 24 h)
    """
    assert get_calendar(ENGLAND).add(date(2024, 6, 14), 24, "hours") == datetime(2024, 6, 15, 0, 0)


def test_hours_are_elapsed_time_across_a_clock_change():
    """24 hours after 12:00 on Sat 30 Mar 2024 in London is 13:00 on Sun 31 Mar, the clocks having gone forward.

    Mo  Tu  We  Th  Fr  Sa  Su
    25  26  27  28  29H 30* 31!   March 2024  (British Summer Time from 01:00 GMT on the 31st)
    """
    try:
        london = ZoneInfo("Europe/London")
    except ZoneInfoNotFoundError:
        pytest.skip("no time zone database on this machine")
    result = get_calendar(ENGLAND).add(datetime(2024, 3, 30, 12, tzinfo=london), 24, "hours")
    assert result == datetime(2024, 3, 31, 13, tzinfo=london)
    assert (result.year, result.month, result.day, result.hour) == (2024, 3, 31, 13)


# Scotland and Northern Ireland.


def test_scotland_keeps_2_january_as_a_holiday():
    """Scotland skips Tue 2 Jan 2024 where England and Wales counts it.

    Mo  Tu  We  Th  Fr  Sa  Su
    25H 26H 27  28  29* 30  31   December 2023
     1H  2S  3!  4   5   6   7   January 2024 from the 1st
    S: 2 Jan New Year Holiday, Scotland only
    Scotland count: 3 Jan=1; England and Wales count: 2 Jan=1
    """
    assert working_days_after(date(2023, 12, 29), 1, SCOTLAND) == date(2024, 1, 3)
    assert working_days_after(date(2023, 12, 29), 1, ENGLAND) == date(2024, 1, 2)


def test_scotland_keeps_st_andrews_day():
    """Scotland skips St Andrew's Day, Thu 30 Nov 2023, where England and Wales counts it.

    Mo  Tu  We  Th  Fr  Sa  Su
    27  28  29* 30S  1!  2   3   November 2023, December 2023 from the 1st
    S: 30 Nov Saint Andrew's Day, Scotland only
    Scotland count: 1 Dec=1; England and Wales count: 30=1
    """
    assert working_days_after(date(2023, 11, 29), 1, SCOTLAND) == date(2023, 12, 1)
    assert working_days_after(date(2023, 11, 29), 1, ENGLAND) == date(2023, 11, 30)


def test_scotland_summer_holiday_is_the_first_monday_of_august():
    """Scotland's summer holiday is Mon 5 Aug 2024; England and Wales's is Mon 26 Aug 2024.

    Mo  Tu  We  Th  Fr  Sa  Su
    29  30  31   1   2*  3   4   July 2024, August 2024 from the 1st
     5S  6   7   8   9  10  11
    12  13  14  15  16  17  18
    19  20  21  22  23* 24  25
    26E 27  28  29  30  31   1   September 2024 from the 1st
    S: 5 Aug Summer Bank Holiday, Scotland only; E: 26 Aug Late Summer Bank Holiday, England and Wales only
    from Fri 2 Aug:  Scotland 6=1, England and Wales 5=1
    from Fri 23 Aug: Scotland 26=1, England and Wales 27=1
    """
    assert working_days_after(date(2024, 8, 2), 1, SCOTLAND) == date(2024, 8, 6)
    assert working_days_after(date(2024, 8, 2), 1, ENGLAND) == date(2024, 8, 5)
    assert working_days_after(date(2024, 8, 23), 1, SCOTLAND) == date(2024, 8, 26)
    assert working_days_after(date(2024, 8, 23), 1, ENGLAND) == date(2024, 8, 27)


def test_scotland_has_no_easter_monday_holiday():
    """Easter Monday 1 Apr 2024 is a working day in Scotland.

    Mo  Tu  We  Th  Fr  Sa  Su
    25  26  27  28* 29H 30  31   March 2024
     1!  2   3   4   5   6   7   April 2024 from the 1st
    H: 29 Mar Good Friday
    Scotland count: 1 Apr=1
    """
    assert working_days_after(date(2024, 3, 28), 1, SCOTLAND) == date(2024, 4, 1)


def test_northern_ireland_keeps_st_patricks_day():
    """Northern Ireland skips St Patrick's Day, Fri 17 Mar 2023, where England and Wales counts it.

    Mo  Tu  We  Th  Fr  Sa  Su
    13  14  15  16* 17N 18  19   March 2023
    20! 21  22  23  24  25  26
    N: 17 Mar Saint Patrick's Day, Northern Ireland only
    Northern Ireland count: 20=1; England and Wales count: 17=1
    """
    assert working_days_after(date(2023, 3, 16), 1, NORTHERN_IRELAND) == date(2023, 3, 20)
    assert working_days_after(date(2023, 3, 16), 1, ENGLAND) == date(2023, 3, 17)


def test_northern_ireland_substitutes_st_patricks_day_at_a_weekend():
    """St Patrick's Day 2024 fell on a Sunday, so Northern Ireland skips Mon 18 Mar 2024.

    Mo  Tu  We  Th  Fr  Sa  Su
    11  12  13  14  15* 16  17N   March 2024
    18N 19! 20  21  22  23  24
    N: 17 Mar Saint Patrick's Day; 18 Mar Saint Patrick's Day (observed)
    Northern Ireland count: 19=1
    """
    assert working_days_after(date(2024, 3, 15), 1, NORTHERN_IRELAND) == date(2024, 3, 19)


def test_northern_ireland_keeps_12_july():
    """Northern Ireland skips Wed 12 Jul 2023 (Battle of the Boyne), where England and Wales counts it.

    Mo  Tu  We  Th  Fr  Sa  Su
    10  11* 12N 13! 14  15  16   July 2023
    N: 12 Jul Battle of the Boyne, Northern Ireland only
    Northern Ireland count: 13=1; England and Wales count: 12=1
    """
    assert working_days_after(date(2023, 7, 11), 1, NORTHERN_IRELAND) == date(2023, 7, 13)
    assert working_days_after(date(2023, 7, 11), 1, ENGLAND) == date(2023, 7, 12)


# Local closures.


def test_local_closure_between_christmas_and_new_year_is_skipped():
    """Closure days 27, 30 and 31 Dec 2024 push 5 working days after Fri 20 Dec to Mon 6 Jan 2025.

    Mo  Tu  We  Th  Fr  Sa  Su
    16  17  18  19  20* 21  22   December 2024
    23  24  25H 26H 27C 28  29
    30C 31C  1H  2   3   4   5   January 2025 from the 1st
     6!  7   8   9  10  11  12
    H: 25 Dec Christmas Day; 26 Dec Boxing Day; 1 Jan New Year's Day
    count: 23=1 24=2 2 Jan=3 3 Jan=4 6 Jan=5
    """
    assert working_days_after(date(2024, 12, 20), 5, closures=CHRISTMAS_2024_CLOSURES) == date(2025, 1, 6)


def test_local_closure_is_skipped_when_counting_before():
    """5 working days before Mon 6 Jan 2025, with the same closure days, is Fri 20 Dec 2024.

    Mo  Tu  We  Th  Fr  Sa  Su
    16  17  18  19  20! 21  22   December 2024
    23  24  25H 26H 27C 28  29
    30C 31C  1H  2   3   4   5   January 2025 from the 1st
     6*  7   8   9  10  11  12
    H: 25 Dec Christmas Day; 26 Dec Boxing Day; 1 Jan New Year's Day
    count: 3=1 2=2 24 Dec=3 23 Dec=4 20 Dec=5
    """
    assert working_days_before(date(2025, 1, 6), 5, closures=CHRISTMAS_2024_CLOSURES) == date(2024, 12, 20)


# skipped().


def test_skipped_names_the_state_funeral_in_the_first_worked_example():
    """skipped() for the rapid-review example lists exactly the State Funeral.

    Mo  Tu  We  Th  Fr  Sa  Su
    12* 13  14  15  16  17  18   September 2022
    19H 20  21  22  23  24  25
    26  27  28  29  30   1   2   October 2022 from the 1st
     3   4!  5   6   7   8   9
    """
    skipped = get_calendar(ENGLAND).skipped(date(2022, 9, 12), date(2022, 10, 4))
    assert [day for day, _ in skipped] == [date(2022, 9, 19)]
    assert "State Funeral" in skipped[0][1]


def test_skipped_lists_weekday_substitutes_not_weekend_dated_holidays():
    """skipped() over Christmas 2021 lists the Monday and Tuesday substitutes but not Sat 25 or Sun 26 Dec.

    Mo  Tu  We  Th  Fr  Sa  Su
    20  21  22  23  24* 25H 26H   December 2021
    27H 28H 29! 30  31   1H  2   January 2022 from the 1st
    """
    skipped = get_calendar(ENGLAND).skipped(date(2021, 12, 24), date(2021, 12, 29))
    assert [day for day, _ in skipped] == [date(2021, 12, 27), date(2021, 12, 28)]


def test_skipped_names_closure_days_and_accepts_reversed_bounds():
    """skipped() names closure days "local closure", orders by date, and swaps a start after its end.

    Mo  Tu  We  Th  Fr  Sa  Su
    16  17  18  19  20* 21  22   December 2024
    23  24  25H 26H 27C 28  29
    30C 31C  1H  2   3   4   5   January 2025 from the 1st
     6!  7   8   9  10  11  12
    """
    calendar = get_calendar(ENGLAND, CHRISTMAS_2024_CLOSURES)
    skipped = calendar.skipped(date(2024, 12, 20), date(2025, 1, 6))
    assert [day for day, _ in skipped] == [
        date(2024, 12, 25),
        date(2024, 12, 26),
        date(2024, 12, 27),
        date(2024, 12, 30),
        date(2024, 12, 31),
        date(2025, 1, 1),
    ]
    assert [name for day, name in skipped if day in CHRISTMAS_2024_CLOSURES] == ["local closure"] * 3
    assert calendar.skipped(date(2025, 1, 6), date(2024, 12, 20)) == skipped


def test_skipped_excludes_the_start_and_includes_the_end():
    """skipped() counts strictly after the start and up to and including the end.

    Mo  Tu  We  Th  Fr  Sa  Su
    25  26  27  28  29H 30  31   March 2024
     1H  2   3   4   5   6   7   April 2024 from the 1st
    H: 29 Mar Good Friday; 1 Apr Easter Monday
    """
    england = get_calendar(ENGLAND)
    assert [day for day, _ in england.skipped(date(2024, 3, 29), date(2024, 4, 1))] == [date(2024, 4, 1)]


# Errors.


def test_anchor_outside_the_calendar_years_raises():
    """An anchor outside 1995–2074 raises DateOutsideCalendar with a plain-English message."""
    england = get_calendar(ENGLAND)
    with pytest.raises(DateOutsideCalendar) as raised:
        england.add(date(2150, 1, 1), 1, "working_days")
    assert str(raised.value) == "2150-01-01 is outside the years this calendar knows (1995–2074)"
    with pytest.raises(DateOutsideCalendar):
        england.is_working_day(date(1994, 12, 31))
    with pytest.raises(DateOutsideCalendar):
        england.add(date(1994, 12, 31), 0, "days")


def test_result_outside_the_calendar_years_raises():
    """A count whose result falls outside 1995–2074 raises DateOutsideCalendar, in every unit.

    Mo  Tu  We  Th  Fr  Sa  Su
    24  25H 26H 27  28* 29  30   December 2074 (Friday 28th)
    31                           only 31 Dec is left, so 5 working days run past 2074
    """
    england = get_calendar(ENGLAND)
    with pytest.raises(DateOutsideCalendar) as raised:
        england.add(date(2074, 12, 28), 5, "working_days")
    assert str(raised.value) == ("the date 5 working days after 2074-12-28 is outside the years this calendar knows (1995–2074)")
    with pytest.raises(DateOutsideCalendar):
        england.subtract(date(1995, 1, 3), 3, "working_days")
    with pytest.raises(DateOutsideCalendar):
        england.add(date(2074, 12, 31), 1, "days")
    with pytest.raises(DateOutsideCalendar):
        england.add(date(2074, 8, 31), 6, "months")
    with pytest.raises(DateOutsideCalendar):
        england.subtract(datetime(1995, 1, 1, 1), 2, "hours")
    with pytest.raises(DateOutsideCalendar):
        england.add(date(2000, 1, 1), 10**12, "hours")


def test_closure_day_outside_the_calendar_years_raises():
    """A closure day outside 1995–2074 raises DateOutsideCalendar when the calendar is built."""
    with pytest.raises(DateOutsideCalendar):
        get_calendar(ENGLAND, (date(2080, 12, 27),))


def test_unknown_calendar_names_the_calendars_and_suggests_the_closest():
    """An unknown calendar name lists the valid names and suggests the intended one."""
    with pytest.raises(UnknownCalendar) as raised:
        get_calendar("england")
    assert str(raised.value) == (
        "unknown calendar `england`; the calendars are england-and-wales, scotland, northern-ireland; did you mean `england-and-wales`?"
    )
    with pytest.raises(UnknownCalendar, match="did you mean `scotland`"):
        get_calendar("scottland")
    with pytest.raises(UnknownCalendar, match="did you mean `northern-ireland`"):
        get_calendar("Northern Ireland")


def test_unknown_calendar_without_a_plausible_match_makes_no_suggestion():
    """A name nothing like any calendar gets the list of calendars but no guess."""
    with pytest.raises(UnknownCalendar) as raised:
        get_calendar("uk")
    assert "did you mean" not in str(raised.value)
    assert "england-and-wales, scotland, northern-ireland" in str(raised.value)


def test_negative_amounts_and_unknown_units_are_rejected():
    """Negative amounts raise ValueError and an unknown unit raises CalendarError naming the units."""
    england = get_calendar(ENGLAND)
    with pytest.raises(ValueError):
        england.add(date(2024, 6, 14), -1, "working_days")
    with pytest.raises(ValueError):
        england.subtract(date(2024, 6, 14), -3, "months")
    with pytest.raises(CalendarError, match="the units are working_days, days, weeks, months, years, hours"):
        england.add(date(2024, 6, 14), 2, "fortnights")


def test_calendar_errors_are_value_errors_that_survive_pickling():
    """Calendar errors subclass ValueError and keep their message across processes (pickling)."""
    for error in (UnknownCalendar("england"), DateOutsideCalendar("2150-01-01")):
        assert isinstance(error, CalendarError)
        assert isinstance(error, ValueError)
        assert str(pickle.loads(pickle.dumps(error))) == str(error)


# Construction and caching.


def test_module_constants():
    """The calendar names, default, year range and units are the documented ones."""
    assert CALENDAR_NAMES == ("england-and-wales", "scotland", "northern-ireland")
    assert DEFAULT_CALENDAR == "england-and-wales"
    assert (FIRST_YEAR, LAST_YEAR) == (1995, 2074)
    assert UNITS == ("working_days", "days", "weeks", "months", "years", "hours")


def test_get_calendar_returns_one_shared_calendar_per_arguments():
    """get_calendar returns the same object for the same calendar, whatever the closures' order or repeats."""
    assert get_calendar() is get_calendar(ENGLAND)
    shuffled = (date(2024, 12, 31), date(2024, 12, 27), date(2024, 12, 30), date(2024, 12, 27))
    assert get_calendar(ENGLAND, shuffled) is get_calendar(ENGLAND, CHRISTMAS_2024_CLOSURES)
    assert get_calendar(ENGLAND, shuffled).closures == CHRISTMAS_2024_CLOSURES
    assert get_calendar(SCOTLAND).name == SCOTLAND


def test_calendar_is_immutable():
    """A WorkingCalendar's attributes cannot be reassigned."""
    calendar = get_calendar(ENGLAND)
    assert isinstance(calendar, WorkingCalendar)
    with pytest.raises(AttributeError):
        calendar.name = SCOTLAND
    with pytest.raises(AttributeError):
        calendar.closures = ()


# span_range().


def test_span_range_of_5_working_days():
    """5 working days span 5 to 13 calendar days: least from Sun 8 Jan 1995, greatest from Wed 22 Dec 1999.

    Mo  Tu  We  Th  Fr  Sa  Su
     2H  3   4   5   6   7   8*   January 1995
     9  10  11  12  13! 14  15
    count: 9=1 10=2 11=3 12=4 13=5, spanning 5 days (Sun 1 Jan spans 8: 2 Jan is a holiday)

    Mo  Tu  We  Th  Fr  Sa  Su
    20  21  22* 23  24  25H 26H   December 1999
    27H 28H 29  30  31H  1H  2   January 2000 from the 1st
     3H  4!  5   6   7   8   9
    count: 23=1 24=2 29=3 30=4 4 Jan=5, spanning 13 days
    """
    assert get_calendar(ENGLAND).span_range(5, "working_days") == (5, 13, date(1995, 1, 8), date(1999, 12, 22))


def test_span_range_of_calendar_months():
    """1 month spans 28 to 31 days and 6 months 181 to 184 days, with the earliest start of each.

    1 month: 31 Jan 1995 -> 28 Feb 1995 is 28 days (1..28 Jan give 31, 29 Jan 30, 30 Jan 29);
             1 Jan 1995 -> 1 Feb 1995 is 31 days.
    6 months: 1 Jan 1995 -> 1 Jul 1995 is 31+28+31+30+31+30 = 181 days;
              1 Mar 1995 -> 1 Sep 1995 is 31+30+31+30+31+31 = 184 days (Jan and Feb starts all give 181).
    """
    england = get_calendar(ENGLAND)
    assert england.span_range(1, "months") == (28, 31, date(1995, 1, 31), date(1995, 1, 1))
    assert england.span_range(6, "months") == (181, 184, date(1995, 1, 1), date(1995, 3, 1))
    assert england.span_range(1, "years") == (365, 366, date(1995, 1, 1), date(1995, 3, 1))


def test_span_range_of_fixed_units():
    """Days and weeks span exactly their length; hours span floor and ceiling of whole days."""
    england = get_calendar(ENGLAND)
    first = date(1995, 1, 1)
    assert england.span_range(10, "days") == (10, 10, first, first)
    assert england.span_range(2, "weeks") == (14, 14, first, first)
    assert england.span_range(36, "hours")[:2] == (1, 2)
    assert england.span_range(48, "hours")[:2] == (2, 2)
    assert england.span_range(0, "working_days")[:2] == (0, 0)


@pytest.mark.parametrize(
    ("calendar_name", "amount", "unit"),
    [
        (ENGLAND, 1, "working_days"),
        (ENGLAND, 15, "working_days"),
        (SCOTLAND, 7, "working_days"),
        (NORTHERN_IRELAND, 20, "working_days"),
        (ENGLAND, 3, "months"),
        (ENGLAND, 2, "years"),
    ],
)
def test_span_range_agrees_with_adding_from_every_start_date(calendar_name, amount, unit):
    """span_range matches the least and greatest of add(d) - d over every start whose result is inside the years."""
    calendar = get_calendar(calendar_name)
    spans = []
    start, last = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)
    while start <= last:
        try:
            spans.append(((calendar.add(start, amount, unit) - start).days, start))
        except DateOutsideCalendar:
            break
        start += timedelta(days=1)
    least, greatest = min(spans)[0], max(spans)[0]
    expected = (
        least,
        greatest,
        min(day for span, day in spans if span == least),
        min(day for span, day in spans if span == greatest),
    )
    assert calendar.span_range(amount, unit) == expected


def test_span_range_of_a_count_longer_than_the_calendar_raises():
    """A span that no start date can fit inside 1995–2074 raises DateOutsideCalendar."""
    with pytest.raises(DateOutsideCalendar):
        get_calendar(ENGLAND).span_range(100_000, "working_days")
    with pytest.raises(DateOutsideCalendar):
        get_calendar(ENGLAND).span_range(100, "years")


# Properties, checked against a slow day-by-day reference that uses the holidays package directly.

SUBDIVISION_CODES = {ENGLAND: "ENG", SCOTLAND: "SCT", NORTHERN_IRELAND: "NIR"}


@cache
def reference_holidays(calendar_name):
    return holidays.country_holidays("GB", subdiv=SUBDIVISION_CODES[calendar_name], years=range(1994, 2076))


def reference_is_working_day(calendar_name, closures, day):
    return day.weekday() < 5 and day not in reference_holidays(calendar_name) and day not in closures


def reference_count(calendar_name, closures, anchor, amount, step):
    """Walk one day at a time (step +1 or -1) until `amount` working days have been seen."""
    day, seen = anchor, 0
    while seen < amount:
        day += timedelta(days=step)
        if reference_is_working_day(calendar_name, closures, day):
            seen += 1
    return day


def anchors(earliest=date(1995, 1, 1)):
    """Anchor dates from `earliest`, ending early enough to leave room for 250 working days after them."""
    return st.dates(min_value=earliest, max_value=date(2072, 12, 31))


working_day_counts = st.integers(min_value=1, max_value=250)


@st.composite
def calendars(draw, near=None):
    """A calendar of any jurisdiction, with up to six closure days near `near` (if given)."""
    name = draw(st.sampled_from(CALENDAR_NAMES))
    if near is None:
        return get_calendar(name)
    offsets = draw(st.lists(st.integers(min_value=-40, max_value=60), max_size=6))
    closures = (near + timedelta(days=offset) for offset in offsets)
    return get_calendar(name, tuple(day for day in closures if FIRST_YEAR <= day.year <= LAST_YEAR))


@st.composite
def calendars_with_anchors(draw, earliest=date(1995, 1, 1)):
    anchor = draw(anchors(earliest))
    return draw(calendars(near=anchor)), anchor


@settings(max_examples=200, deadline=None)
@given(calendars_with_anchors(), working_day_counts)
def test_counting_forward_lands_on_a_working_day(calendar_and_anchor, amount):
    """Counting N ≥ 1 working days forward always lands on a working day."""
    calendar, anchor = calendar_and_anchor
    assert calendar.is_working_day(calendar.add(anchor, amount, "working_days"))


@settings(max_examples=200, deadline=None)
@given(calendars(), anchors(), anchors(), st.integers(min_value=0, max_value=250))
def test_counting_forward_never_decreases_as_the_anchor_moves_later(calendar, first, second, amount):
    """A later anchor never gives an earlier result for the same count."""
    earlier, later = sorted((first, second))
    assert calendar.add(earlier, amount, "working_days") <= calendar.add(later, amount, "working_days")


@settings(max_examples=200, deadline=None)
@given(calendars_with_anchors(), st.integers(min_value=0, max_value=250))
def test_counting_forward_strictly_increases_with_the_count(calendar_and_anchor, amount):
    """One more working day always gives a strictly later result."""
    calendar, anchor = calendar_and_anchor
    assert calendar.add(anchor, amount, "working_days") < calendar.add(anchor, amount + 1, "working_days")


# From February 1995, so that there is always a working day before the anchor to come back to.
@settings(max_examples=200, deadline=None)
@given(calendars_with_anchors(earliest=date(1995, 2, 1)), working_day_counts)
def test_counting_back_undoes_counting_forward(calendar_and_anchor, amount):
    """Counting N back from N forward returns a working-day anchor, and otherwise the last working day before it."""
    calendar, anchor = calendar_and_anchor
    round_trip = calendar.subtract(calendar.add(anchor, amount, "working_days"), amount, "working_days")
    if calendar.is_working_day(anchor):
        assert round_trip == anchor
    else:
        assert calendar.is_working_day(round_trip)
        assert round_trip < anchor
        days_between = (round_trip + timedelta(days=gap) for gap in range(1, (anchor - round_trip).days))
        assert not any(calendar.is_working_day(day) for day in days_between)


@settings(max_examples=200, deadline=None)
@given(calendars_with_anchors(), st.integers(min_value=0, max_value=60), st.booleans())
def test_fast_count_matches_a_day_by_day_reference(calendar_and_anchor, amount, forward):
    """The indexed count gives the same date as walking one day at a time, both ways, or raises before 1995."""
    calendar, anchor = calendar_and_anchor
    move = calendar.add if forward else calendar.subtract
    expected = reference_count(calendar.name, calendar.closures, anchor, amount, 1 if forward else -1)
    if expected.year < FIRST_YEAR:
        with pytest.raises(DateOutsideCalendar):
            move(anchor, amount, "working_days")
    else:
        assert move(anchor, amount, "working_days") == expected


@settings(max_examples=200, deadline=None)
@given(calendars_with_anchors())
def test_is_working_day_matches_the_reference(calendar_and_anchor):
    """is_working_day agrees with the weekday, holiday and closure rule applied directly."""
    calendar, anchor = calendar_and_anchor
    nearby = (anchor + timedelta(days=offset) for offset in range(-3, 4))
    for day in (day for day in nearby if day.year >= FIRST_YEAR):
        assert calendar.is_working_day(day) == reference_is_working_day(calendar.name, calendar.closures, day)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1995, 1, 1), max_value=date(2074, 12, 31)), st.integers(min_value=-240, max_value=240))
def test_add_months_moves_the_month_and_clamps_the_day(start, months):
    """add_months changes the month by exactly n and keeps the day, clamped to the target month's length."""
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day == min(start.day, stdlib_calendar.monthrange(result.year, result.month)[1])


def test_bank_holiday_tables_are_kept_and_made_again_when_stale_or_spoilt(tmp_path, monkeypatch):
    from interpreter import holiday_tables

    monkeypatch.setattr(holiday_tables, "find_folder", lambda: tmp_path)
    made = holiday_tables._made("ENG", 1995, 2074)
    assert holiday_tables.weekday_bank_holidays("ENG", 1995, 2074) == made
    kept = tmp_path / "bank-holidays-ENG.json"
    assert kept.exists()
    calls = []
    monkeypatch.setattr(holiday_tables, "_made", lambda *args: calls.append(args) or made)
    assert holiday_tables.weekday_bank_holidays("ENG", 1995, 2074) == made and calls == []  # read back, not made
    kept.write_text("{not json", encoding="utf-8")
    assert holiday_tables.weekday_bank_holidays("ENG", 1995, 2074) == made and len(calls) == 1  # spoilt: made again
    monkeypatch.setattr(holiday_tables, "_stamp", lambda *args: "another version of holidays")
    assert holiday_tables.weekday_bank_holidays("ENG", 1995, 2074) == made and len(calls) == 2  # stale: made again
    assert any(date.fromordinal(day) == date(2022, 9, 19) for day, _ in made)  # the State Funeral, a one-off


@pytest.mark.parametrize("months", [1, 2, 3, 11, 12, 13, 24, 59])
def test_month_span_ranges_agree_with_counting_from_every_start_day(months):
    """The least and greatest span of N months, worked out month by month, are those of every start day tried in turn."""
    from interpreter.model import Unit

    last = date(LAST_YEAR, 12, 31)
    spans = []
    day = date(FIRST_YEAR, 1, 1)
    while (end := add_months(day, months)) <= last:
        spans.append(((end - day).days, day))
        day += timedelta(days=1)
    least = min(spans, key=lambda span: span[0])  # min() keeps the first, the earliest start, among equals
    greatest = max(spans, key=lambda span: span[0])
    assert get_calendar().span_range(months, Unit.MONTHS) == (least[0], greatest[0], least[1], greatest[1])


@pytest.mark.parametrize("amount", [1, 5, 15])
def test_working_day_span_ranges_agree_with_counting_from_every_start_day(amount):
    """The least and greatest span of N working days are those of `add` from every start day in turn."""
    from interpreter.model import Unit

    calendar = get_calendar(ENGLAND)
    spans = []
    day = date(FIRST_YEAR, 1, 1)
    while True:
        try:
            end = calendar.add(day, amount, Unit.WORKING_DAYS)
        except DateOutsideCalendar:
            break
        spans.append(((end - day).days, day))
        day += timedelta(days=1)
    least = min(spans, key=lambda span: span[0])
    greatest = max(spans, key=lambda span: span[0])
    assert calendar.span_range(amount, Unit.WORKING_DAYS) == (least[0], greatest[0], least[1], greatest[1])


@settings(max_examples=300, deadline=None)
@given(calendars_with_anchors(), working_day_counts, st.booleans(), st.sampled_from([None, "first", "last"]))
def test_working_days_from_gives_what_add_and_subtract_give_or_none_outside(calendar_and_anchor, amount, forward, edge):
    """The batch's quick way to count working days agrees with add and subtract, and is None where they refuse, at both ends."""
    calendar, anchor = calendar_and_anchor
    if edge is not None:  # a start near an end of the calendar's years, where the count runs off it
        anchor = (
            date(FIRST_YEAR, 1, 1) + timedelta(days=amount % 7) if edge == "first" else date(LAST_YEAR, 12, 31) - timedelta(days=amount % 7)
        )
    try:
        expected = calendar.add(anchor, amount, "working_days") if forward else calendar.subtract(anchor, amount, "working_days")
    except DateOutsideCalendar:
        expected = None
    assert calendar.working_days_from(anchor, amount, forward) == expected
    assert calendar.working_days_from(date(FIRST_YEAR - 1, 12, 31), amount, forward) is None
    assert calendar.working_days_from(date(LAST_YEAR + 1, 1, 1), amount, forward) is None


def test_a_span_of_years_past_the_calendar_is_said_in_years():
    """`within 100000 years` was reported as "every date 1200000 months after a start date"."""
    from interpreter.pipeline import analyse_source
    from interpreter.source import SourceFile

    text = 'procedure "P"\nend\nrole crg "C"\nevent aware "A"\nstart at s\nstep s "S"\n  by crg\n  within 100000 years after aware\n  next d\nend\noutcome d "D"\n'
    messages = [d.message for d in analyse_source(SourceFile("p.proc", text)).diagnostics if d.code == "P306"]
    assert messages and "every date 100000 years after a start date" in messages[0], messages
