from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "petitions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from petitions import signals  # noqa: F401  (connects the receivers)
