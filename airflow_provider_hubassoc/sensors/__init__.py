"""Sensors of the HubSpot associations provider."""
