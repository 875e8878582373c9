"""The app's admin pages; each part registers its own (autodiscovery imports only this module)."""

from command_center.alerts import admin as alerts_admin  # noqa: F401
