"""The one settings object. Every value can be set as an environment variable HOSO_<NAME>."""

from __future__ import annotations

import os
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Limits(BaseSettings):
    """Bounds on input, so that one bad file or page can never exhaust the machine."""

    model_config = SettingsConfigDict(env_prefix="HOSO_", extra="ignore")

    max_file_mb: float = Field(200.0, description="Largest accepted upload, in MB")
    max_pages: int = Field(1000, description="Most pages in one document")
    max_page_megapixels: float = Field(
        150.0, description="Largest image on a page (decompression-bomb guard), in megapixels"
    )
    max_render_megapixels: float = Field(
        40.0, description="Pages larger than this at the OCR resolution are rendered at a lower dpi"
    )
    ocr_page_timeout_s: float = Field(180.0, description="Time limit for the OCR of one page")

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_page_pixels(self) -> int:
        return int(self.max_page_megapixels * 1_000_000)

    @property
    def max_render_pixels(self) -> int:
        return int(self.max_render_megapixels * 1_000_000)


class OcrOptions(BaseSettings):
    """How pages are read."""

    model_config = SettingsConfigDict(env_prefix="HOSO_", extra="ignore")

    ocr_lang: str = Field("vie", description="Tesseract languages, e.g. 'vie' or 'vie+eng'")
    ocr_dpi: int = Field(300, description="Resolution scanned pages are rendered and read at")
    ocr_workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        description="Pages read at the same time (one Tesseract process each)",
    )
    fix_orientation: bool = Field(True, description="Turn pages upright (Tesseract OSD)")
    deskew: bool = Field(True, description="Straighten slightly skewed scans")


class Settings(BaseSettings):
    """Where data lives and how hoso runs. Defaults run embedded, with no server."""

    model_config = SettingsConfigDict(env_prefix="HOSO_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("hoso-data"), description="Embedded data: database and objects")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default sqlite:///<data_dir>/hoso.db"
    )
    object_store: Literal["local", "s3"] = Field("local", description="'local' folder or 's3'")
    objects_dir: Path | None = Field(None, description="Local object store; default <data_dir>/objects")
    s3_endpoint: str = Field("127.0.0.1:9000", description="host:port of the MinIO / S3 server")
    s3_access_key: str = Field("", description="S3 access key")
    s3_secret_key: str = Field("", description="S3 secret key")
    s3_bucket: str = Field("hoso", description="Bucket holding originals and derived files")
    s3_secure: bool = Field(False, description="Use HTTPS to reach the S3 server")
    s3_region: str | None = Field(None, description="S3 region, if the server needs one")

    inbox: str | None = Field(
        None, description="Where the nightly run finds new files: a folder, or s3://bucket/prefix; "
        "default <data_dir>/inbox. Layout: <unit code>/[<dossier code>/]file"
    )
    inbox_settle_seconds: float = Field(60.0, description="A file in the inbox folder changed more "
                                        "recently than this may still be copying: it waits")
    reports_dir: Path | None = Field(None, description="Where reports are written; "
                                     "default <data_dir>/reports")
    deadline: date = Field(date(2022, 12, 31), description="Province deadline for the paper-to-"
                           "electronic conversion (a unit may override it)")
    timezone: str = Field("Asia/Ho_Chi_Minh", description="Time zone of days, reports and the schedule")
    nightly_cron: str = Field("0 1 * * *", description="When `hoso serve` runs the nightly flow")
    throughput_days: int = Field(7, description="Trailing window of the throughput behind forecasts")
    max_failed_runs: int = Field(3, description="Runs a failing document is retried in before it "
                                 "is left for an administrator")
    claim_lease_minutes: float = Field(120.0, description="A document claimed longer ago than this "
                                       "by a run that has not finished it is taken over")

    auto_accept_confidence: float = Field(0.93, description="An extracted value at least this sure "
                                          "is accepted; below it, it goes to the review queue")

    # The web application (`hoso web`).
    web_base_url: str = Field("", description="Address people open, e.g. https://hoso.lamdong.vn; "
                              "an https address makes session cookies Secure by default")
    web_secret_key: SecretStr | None = Field(None, description="Signs session cookies; default a "
                                             "random key generated once into <data_dir>/web-secret")
    web_secure_cookies: bool | None = Field(None, description="Session cookie sent over HTTPS only; "
                                            "default: true when web_base_url starts with https")
    web_session_hours: float = Field(8.0, description="A sign-in lasts this long, then the person "
                                     "signs in again")
    web_forwarded_allow_ips: str = Field("127.0.0.1", description="Reverse proxies whose "
                                         "X-Forwarded-* headers are trusted (comma-separated, or *)")
    web_process_uploads: bool = Field(True, description="The web application reads and extracts "
                                      "what is uploaded, in the background (embedded); false when "
                                      "workers or the nightly run do it")

    encryption_key_file: Path | None = Field(
        None, description="Key file of the keys objects are encrypted with at rest (JSON, mode "
        "0600; `hoso keys generate FILE`)")
    encryption_key: SecretStr | None = Field(
        None, description="The key as a value instead of a file (containers): 'id:base64' or "
        "several 'id:base64,...' (the first is current)")
    allow_unencrypted: bool = Field(
        False, description="Let an S3 object store run without encryption at rest (not advised)")

    fixity_sample: int = Field(50, ge=0, description="Objects the nightly run reads back and "
                               "compares with their sha256 (a random sample; `hoso verify` reads all)")

    limits: Limits = Field(default_factory=Limits)
    ocr: OcrOptions = Field(default_factory=OcrOptions)

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'hoso.db').as_posix()}"

    @property
    def objects_path(self) -> Path:
        return self.objects_dir or self.data_dir / "objects"

    @property
    def inbox_location(self) -> str:
        return self.inbox or str(self.data_dir / "inbox")

    @property
    def reports_path(self) -> Path:
        return self.reports_dir or self.data_dir / "reports"

    @property
    def secure_cookies(self) -> bool:
        if self.web_secure_cookies is not None:
            return self.web_secure_cookies
        return self.web_base_url.lower().startswith("https://")

    def today(self) -> date:
        """Today in the province's time zone (days of snapshots and reports)."""
        return datetime.now(ZoneInfo(self.timezone)).date()


@lru_cache
def get_settings() -> Settings:
    """The settings of this process, read once from the environment."""
    return Settings()
