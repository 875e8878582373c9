from django.apps import AppConfig


class NoyoConfig(AppConfig):
    name = "command_center.noyo"
    label = "noyo"
    verbose_name = "Noyo integration"
