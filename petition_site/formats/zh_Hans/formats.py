# Counters group thousands with commas in Simplified Chinese (1,030), as readers expect on the
# web; Django's default groups by ten thousand without a separator.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
