"""One supplier, one identity across GM: registration numbers first, then names.

Plain Python over small tables (distinct payees, not payments): the resolver sees each partner's
supplier records and ledger payees once, links them into organisations, and records how each link
was made so that a person can check it, and overrule it in config/overrides/suppliers.yml.
"""
