"""References inside item text: policy references (lexicon + patterns) and quotations with speakers."""
