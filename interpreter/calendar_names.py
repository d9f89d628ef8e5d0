"""The names of the working-day calendars, apart from the calendars themselves, so that a
command's --help can offer them without building a calendar or loading the holiday tables."""

CALENDAR_NAMES = ("england-and-wales", "scotland", "northern-ireland")
DEFAULT_CALENDAR = "england-and-wales"
