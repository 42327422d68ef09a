"""English dates: one shape for a day and one for a moment, on every page, email and PDF.

The day keeps Django's own English form ("Dec. 10, 2026"); a time is 24-hour, so a page never
mixes "12/07/2026 1:02 p.m." with "Dec. 10, 2026" or reads "midnight" for 00:00.
"""

DATE_FORMAT = "N j, Y"
SHORT_DATE_FORMAT = "N j, Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "N j, Y, H:i"
SHORT_DATETIME_FORMAT = "N j, Y, H:i"
