"""The method, pure: no I/O, no clock. Every threshold, window, vocabulary and limit of the method is
defined once here and imported by the services, jobs, views and texts (the texts take them as
`{days}`-style parameters; the services' SQL filters are built from the cutoffs below).

Where each rule lives:

- stages.py: the ladder, Evidence and Tally (how an activity counts), DEFAULT_REPEATER_THRESHOLD,
  Stage.is_customer, StepReason.
- lapse.py: LapseRules (prospects 30 days; customers 60 / 90 / 365; quiet acquaintances 90; stalled
  proposals 30), SegmentLapse (a segment's own days), LAPSING_STAGES, LAPSING_LIMIT, and their cutoffs
  as dates for the database.
- segments.py: the segments with rules (strategic first in digests, lost), how stored segments compare.
- winback.py: LostReason and its words, who gets win-back advice, the last thing done together.
- analytics.py: the conversion window (90 days), retention (365 days; active = not yet dormant), the
  trend days (7, 30), the snapshot tolerance and the summary week.
- recovery.py: RecoveryStatus, PENDING, the five steps, FLAG_AFTER_DAYS (3) and its cutoff.
- followups.py: FollowupStatus, FollowupSource, after-sale (7 days, stale after 30), snooze (1 week),
  the check the day after a failure.
- delivery.py: DeliveryStatus (the outbox ledger).
- fields.py: what a rep may type (lengths, the checks of a log).
- names.py: what makes two names one (legal forms, honorifics), how names read aloud (the other
  readings kept per word), and "did you mean" (cutoff, limits, the candidates a big team scores).
"""
