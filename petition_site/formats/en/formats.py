# English dates as the site writes them: April 8th, 2013. Other languages keep Django's.
DATE_FORMAT = "F jS, Y"
