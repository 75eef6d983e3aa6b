from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ting.catalog.models import Album, Category, Visibility
from ting.media.audio.cover import ProcessedCover, process_cover
from ting.media.audio.errors import CoverRejected

COVER_MAX_BYTES = 20 * 1024 * 1024


class AlbumForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    intro = forms.CharField(
        label=gettext_lazy("Intro"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Rich text: paragraphs, bold, lists and links are kept."),
    )
    cover = forms.FileField(
        label=gettext_lazy("Cover image"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=gettext_lazy("A square JPEG, PNG or WebP of at least 1400 × 1400 pixels."),
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=gettext_lazy("No category"),
    )
    tags = forms.CharField(
        label=gettext_lazy("Tags"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Separated by commas, e.g. 科技, 汽车"),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=Album.Language.choices)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=Album.Status.choices)
    visibility = forms.ChoiceField(label=gettext_lazy("Visibility"), choices=Visibility.choices)
    track_order = forms.ChoiceField(
        label=gettext_lazy("Track order"), choices=Album.TrackOrder.choices
    )

    def clean_cover(self) -> ProcessedCover | None:
        upload: UploadedFile[bytes] | bool | None = self.cleaned_data.get("cover")
        if not upload or isinstance(upload, bool):
            return None
        if (upload.size or 0) > COVER_MAX_BYTES:
            raise forms.ValidationError(
                _("The cover image is larger than 20 MB."), code="cover_file_too_large"
            )
        try:
            return process_cover(upload.read())
        except CoverRejected as rejection:
            message = _(rejection.template)
            raise forms.ValidationError(
                message % rejection.params if rejection.params else message, code=rejection.code
            ) from None


def album_initial(album: Album) -> dict[str, Any]:
    return {
        "title": album.title,
        "intro": album.intro,
        "category": album.category_id,
        "tags": ", ".join(tag.name for tag in album.tags.all()),
        "language": album.language,
        "status": album.status,
        "visibility": album.visibility,
        "track_order": album.track_order,
    }


class TrackForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    intro = forms.CharField(
        label=gettext_lazy("Intro"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Rich text: paragraphs, bold, lists and links are kept."),
    )
    position = forms.IntegerField(label=gettext_lazy("Order number"), min_value=1)
    published_at = forms.DateTimeField(
        label=gettext_lazy("Publish time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("Leave empty to publish now; a time in the future schedules it."),
    )
    visibility = forms.ChoiceField(label=gettext_lazy("Visibility"), choices=Visibility.choices)
    explicit = forms.BooleanField(label=gettext_lazy("Explicit content"), required=False)


class UploadCreateForm(forms.Form):
    """The JSON body of `POST /studio/uploads/`."""

    album = forms.IntegerField(min_value=1)
    filename = forms.CharField(max_length=1000)
    size = forms.IntegerField(min_value=0)
    last_modified = forms.IntegerField(required=False)
