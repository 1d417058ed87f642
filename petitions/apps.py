from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "petitions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from petition_site.security import draw_csrf_secrets_in_one_read
        from petitions import signals  # noqa: F401  (connects the receivers)

        draw_csrf_secrets_in_one_read()
