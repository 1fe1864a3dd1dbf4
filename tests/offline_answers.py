"""Answers the offline analysis is tried on: a motivation answer, and one in German."""

WHY_THIS_JOB = "Why do you want this job?"
MOTIVATION_ANSWER = (
    "I want this job because your team builds the payments platform I have used for years, "
    "and I want to work on the reliability problems behind it. In my last role I cut checkout "
    "errors by 40% by rebuilding our retry logic, and I would bring that experience to your "
    "on-call rotation. I am also drawn to how your engineers write about their design "
    "decisions in public; for example, your post on idempotency keys changed how I design "
    "APIs. I am looking for a place where I can own a service end to end and grow into "
    "leading a small team."
)
GERMAN_ANSWER = (
    "Als ich bei meiner letzten Firma war, hatten zwei Entwickler in meinem Team Streit über "
    "ein Release. Ich habe ein Treffen organisiert und einen gestaffelten Rollout "
    "vorgeschlagen. Am Ende haben wir pünktlich geliefert und die Störungen um 30% reduziert."
)
