"""Steward's desktop shell: Qt windows that call the headless ``steward`` core."""
