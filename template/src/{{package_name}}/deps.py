"""FastAPI dependencies shared by every router.

Async, though they only read app state: FastAPI runs a plain `def` dependency in a
worker thread, a hop every request would pay for.
"""

from typing import Annotated

from fastapi import Depends, Request

from .db import Database
from .settings import Settings


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_db)]
