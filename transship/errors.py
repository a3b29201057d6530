"""Named errors. Each message tells the user what was wrong and what to do."""


class TransshipError(Exception):
    """Base class: the CLI prints the message and exits with ``exit_code``."""

    exit_code = 1


class StoreError(TransshipError):
    """The store cannot be opened or is in an unexpected state."""


class StoreLockedError(StoreError):
    """Another process holds the store open for writing."""

    exit_code = 3


class StoreTooNewError(StoreError):
    """The store was written by a newer transship than this one."""


class InputFileError(TransshipError):
    """An input file cannot be used at all; nothing from it was written."""

    exit_code = 2


class LostRowsError(TransshipError):
    """An ingest's rows in did not equal rows loaded plus quarantined: a bug, so the batch
    is rolled back whole rather than kept with rows missing."""


class MissingColumnsError(InputFileError):
    """A file lacks required columns; it is refused whole."""


class MappingError(InputFileError):
    """A column-mapping file is invalid."""


class UnknownFormatError(InputFileError):
    """An input format name is not one transship knows."""


class UnknownCountryError(TransshipError):
    """A country given as an option is not one transship knows; nothing was changed."""

    exit_code = 2


class WorldError(TransshipError):
    """A synthetic world was asked for with an unusable option (importing country,
    materials set); nothing was generated."""

    exit_code = 2


class ReviewError(TransshipError):
    """A review action cannot be carried out as asked; nothing was recorded."""

    exit_code = 2


class UnknownFlagError(ReviewError):
    """A flag id is not in the store."""


class UserError(ReviewError):
    """An account cannot be created or used as asked."""


class AuthenticationError(ReviewError):
    """A sign-in failed: unknown user, wrong password or inactive account."""


class MaterialsError(InputFileError):
    """A materials file is invalid; no materials file was installed and the store is as it was."""


class EarlyWarningError(TransshipError):
    """An early-warning digest was asked for with an unusable option (country, period,
    format); nothing was computed or written."""

    exit_code = 2


class IdentifierError(TransshipError):
    """A table or column name meant for SQL text is not a plain name, or a SQL file's name
    slots do not match the names given; nothing was run."""


class EntityError(TransshipError):
    """An entity-resolution action cannot be carried out as asked (an unknown or
    ambiguous name, a merge of one entity with itself, a note missing); nothing was
    recorded."""

    exit_code = 2


class UnknownEntityError(EntityError):
    """No entity or spelling goes by the name given."""


class NoSpellingVariantsError(EntityError):
    """A role's names show no spelling variants (no two spellings share a folded name):
    there is nothing to train a model on, and nothing for one to link."""
