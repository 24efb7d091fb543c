"""The procedure as pure decisions: models and ``now`` in, a frozen decision with a rule id out.

Nothing here touches Playwright, the disk or the clock, so every rule is tested as a table.
"""
