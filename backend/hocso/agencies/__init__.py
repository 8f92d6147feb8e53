"""Agencies: the org tree, who manages which subtree, required modules, the audit trail, reminders and push."""
