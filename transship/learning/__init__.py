"""Learning from analysts' decisions: every confirm, dismiss and escalate is a label, and so
is every past inspection outcome imported from a file.

- ``labels``: reading and checking labels files (ids, 0/1 outcomes, dates);
- ``outcomes``: importing past inspection outcomes as decisions (``transship review import``);
- ``features``: what the learner reads of a shipment, and keeping it in the store;
- ``model``: the learned ranker (gradient-boosted trees) and its reasons in words;
- ``training``: the decisions known before a day, the learner's checks and weight, stored
  models keyed by the decisions they learned from;
- ``part``: the learned part of a run (per day, point in time) and the exploration picks;
- ``replay``: replaying history with revealed labels (``transship evaluate feedback``).
"""
