"""Wizards: multi-step tasks whose order a Qt-free flow decides; the pages only render and collect answers."""
