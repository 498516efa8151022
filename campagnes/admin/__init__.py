"""The treasurers' admin areas of campagnes: views, viewsets and menu items only.

One module per area, each with its URL namespace (unchanged, the admin guard relies on them):
``payments`` ("paiements", with the dashboard panel), ``members`` ("adherents"), ``tickets``
("billets", with the check-in page), ``receipts`` ("recus"). What they share is in ``listing``,
their forms in ``forms``. Who may see what is ``campagnes.permissions``; reads are
``campagnes.selectors``, writes ``campagnes.services`` (refunds, check-in, receipts).
"""
