"""The Success measures page beyond its forms: the measure chart, milestones and sign-off."""
