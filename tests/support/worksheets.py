"""A small worksheet and job aid used by the tests of worksheets and resources."""

SHEET = """id: pick-a-pet
title: Which pet suits you?
intro: Answer two questions.
outcomes:
  - id: cat
    title: A cat
    text: A cat keeps itself busy.
    trade_off: It ignores you when it likes.
  - id: dog
    title: A dog
    text: A dog needs walks.
    trade_off: You walk in the rain.
criteria:
  - id: time
    question: How much time do you have each day?
    options:
      - id: little
        label: Little
        weights: {cat: 3}
        reason: Little time suits an independent animal.
      - id: lots
        label: Lots
        weights: {dog: 3, cat: 1}
        reason: Lots of time lets you walk a dog.
  - id: garden
    question: Do you have a garden?
    help: A yard counts.
    options:
      - label: "Yes"
        weights: {dog: 2}
        reason: A garden gives a dog room.
      - label: "No"
        weights: {cat: 1}
"""

MODULE = f"""---
title: Pets
activity_minutes: 5
---
## Choosing

Read this, then answer.

```worksheet
{SHEET}```

## After

More text.
"""

JOB_AID = """---
title: Pet care chart
summary: Who feeds the pet, day by day.
kind: fillable
---
Fill in one row per day. See [the module](../01-basics.md).

| Day | Who feeds | Who walks |
|---|---|---|
| Monday | | |
| =SUM(A1) | | |
"""
