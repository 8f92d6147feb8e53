"""Staff: civil servants brought into agencies by a CSV import, and invitations to people who have an account."""
