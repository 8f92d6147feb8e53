"""Everything about one person: what they can see and take away of themselves, and what erasing them removes."""
