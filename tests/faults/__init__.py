"""The fault and abuse suite (issue 14): operators' mistakes, crashes and hostile files, each
asserting nothing lost, nothing doubled, the previous publication intact and a clear message."""
