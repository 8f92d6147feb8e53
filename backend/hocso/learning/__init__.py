"""Learning: quiz attempts, offline progress events and the yearly goal."""
