"""The treasurer's accounts: double-entry lines for the money that goes through Kollektif
(``entries``), written as a FEC or as a CSV Paheko imports (``writers``). Nothing here writes
to the database: entries are computed again from the payments at each export."""
