"""Triggers of the HubSpot associations provider."""
