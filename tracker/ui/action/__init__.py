"""The action screens: an action's page, its update form, administration and escalation panel."""
