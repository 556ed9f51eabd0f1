"""A bulk import batch's foreign keys, checked with one query per field instead of one per page.

Model.full_clean checks each foreign key with ForeignKey.validate, which asks the database
whether its target exists: one query per key per page (owner, Kanwil, host Kanwil, locale,
content type...), about four per new document. For the documents a batch creates together
(new_pages), ForeignKeys asks once per field for every value the batch's pages hold, and
`clean_fields_of(page)` gives the page a clean_fields that answers those keys from it: the
same steps as Field.clean (to_python, Field.validate: choices, null, blank; then existence;
then the validators), the same error (ForeignKey.error_messages['invalid'] with Django's
params and code), under the same field name, in the same field order. Everything else
full_clean does (the other fields, clean(), the unique checks and constraints, which run on
the fields that passed) is Django's own, unchanged.

A value the batch query did not cover (a key set after the check was built) is asked on its
own, as ForeignKey.validate would. Only keys whose validate is Django's ForeignKey.validate are
answered here; a subclass with its own validate keeps it."""
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import Field, ForeignKey
from django.db.models.expressions import DatabaseDefault


def _batched(field):
    return (isinstance(field, ForeignKey) and type(field).validate is ForeignKey.validate
            and not field.remote_field.parent_link)


class ForeignKeys:
    """Which targets of the batch's foreign keys exist: one query per (model, field)."""

    def __init__(self, pages):
        self._found = {}  # field -> set of existing target values
        self._asked = {}  # field -> set of values asked
        wanted = {}
        for page in pages:
            for field in page._meta.fields:
                if _batched(field):
                    value = self._value(field, getattr(page, field.attname))
                    if value is not None:
                        wanted.setdefault(field, (page, set()))[1].add(value)
        for field, (page, values) in wanted.items():
            self._ask(field, page, values)

    @staticmethod
    def _value(field, raw):
        try:
            return field.to_python(raw)
        except ValidationError:
            return None  # Field.clean reports it, with the page

    def _ask(self, field, page, values):
        target = field.remote_field.model
        name = field.remote_field.field_name
        using = router.db_for_read(target, instance=page)
        found = (target._base_manager.using(using).filter(**{f"{name}__in": values})
                 .complex_filter(field.get_limit_choices_to()).values_list(name, flat=True))
        self._found.setdefault(field, set()).update(found)
        self._asked.setdefault(field, set()).update(values)

    def clean(self, field, raw, page):
        """Field.clean(raw, page) for a foreign key, its existence answered from the batch."""
        value = field.to_python(raw)
        Field.validate(field, value, page)  # what ForeignKey.validate runs before its query
        if value is not None:
            if value not in self._asked.get(field, ()):
                self._ask(field, page, {value})
            if value not in self._found[field]:
                raise ValidationError(field.error_messages["invalid"], code="invalid", params={
                    "model": field.remote_field.model._meta.verbose_name, "pk": value,
                    "field": field.remote_field.field_name, "value": value})
        field.run_validators(value)
        return value

    def clean_fields_of(self, page):
        """A clean_fields for `page` (set as its attribute): Model.clean_fields for every field
        but the batched foreign keys, which are cleaned here; errors in field order."""
        batched = [field for field in page._meta.fields if _batched(field)]
        names = {field.name for field in batched}

        def clean_fields(exclude=None):
            exclude = set(exclude or ())
            errors = {}
            try:
                type(page).clean_fields(page, exclude=exclude | names)
            except ValidationError as error:
                errors = dict(error.error_dict)
            for field in batched:
                if field.name in exclude:
                    continue
                raw = getattr(page, field.attname)
                if (field.blank and raw in field.empty_values) or isinstance(raw, DatabaseDefault):
                    continue  # as Model.clean_fields
                try:
                    setattr(page, field.attname, self.clean(field, raw, page))
                except ValidationError as error:
                    errors[field.name] = error.error_list
            if errors:
                order = {field.name: number for number, field in enumerate(page._meta.fields)}
                raise ValidationError({name: errors[name] for name in sorted(errors, key=lambda name: order.get(name, len(order)))})

        return clean_fields
