"""Operators of the HubSpot associations provider."""
