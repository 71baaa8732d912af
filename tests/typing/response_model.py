"""Checked by mypy (listed in `[tool.mypy] files`), never run: what type checkers see of
`response_model`. A wrong `assert_type` fails CI's mypy step."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from typing_extensions import assert_type

import axios_python
from axios_python import Response


class User(BaseModel):
    id: int


async def check(api: axios_python.AxiosPython) -> None:
    assert_type(api.get("/u", response_model=User), Response[User])
    assert_type(api.get("/u", response_model=list[User]).data, list[User])
    assert_type(await api.async_post("/u", response_model=User), Response[User])
    assert_type(axios_python.get("/u", response_model=User).data, User)
    assert_type(api.get("/u"), Response[Any])  # without a model: as before
    plain: Response = api.get("/u")  # existing annotations keep working
    assert_type(plain.data, Any)
