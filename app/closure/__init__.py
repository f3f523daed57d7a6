"""Closure: the offline token reset and return (issue 9, R-CLOSE). Qt-free."""
