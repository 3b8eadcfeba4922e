"""Password validators whose messages Django's Dutch catalogue does not (yet) translate."""

from django.contrib.auth.password_validation import MinimumLengthValidator
from django.utils.translation import ngettext


class DutchMinimumLengthValidator(MinimumLengthValidator):
    """Django's length rule; its error (reworded in Django 5) has no Dutch translation yet."""

    def get_error_message(self) -> str:
        # Interpolated by ValidationError with params={"min_length": …}.
        return ngettext(
            "Dit wachtwoord is te kort: het moet minstens %(min_length)d teken bevatten.",
            "Dit wachtwoord is te kort: het moet minstens %(min_length)d tekens bevatten.",
            self.min_length,
        )
