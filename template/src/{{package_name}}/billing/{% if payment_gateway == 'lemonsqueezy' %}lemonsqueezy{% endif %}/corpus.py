"""This gateway's published objects (`corpus/`; `corpus/README.md` names each source)."""

from ..corpus import loader

load = loader(__name__)
