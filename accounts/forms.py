from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db.models import Exists, OuterRef, Q
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from accounts.access import grantable_roles, scope_for
from accounts.models import Role, User, UserQuerySet
from accounts.roles import find_role, grant_refusal
from organizations.models import Organization, Province


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("ชื่อผู้ใช้หรืออีเมล"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _("ชื่อผู้ใช้/อีเมล หรือรหัสผ่านไม่ถูกต้อง กรุณาตรวจสอบแล้วลองใหม่ (ตัวพิมพ์เล็ก-ใหญ่ของรหัสผ่านมีผล)"),
        "inactive": _("บัญชีนี้ถูกระงับการใช้งาน กรุณาติดต่อผู้ดูแลของจังหวัดหรือของกรม"),
    }


def manager_provinces(manager: User):
    """Provinces `manager` may pick in forms: all for national managers, else the ones they administer."""
    scope = scope_for(manager)
    if scope.national:
        return Province.objects.all()
    return Province.objects.filter(pk__in=scope.manages_province_ids)


def email_taken(email: str, *, exclude_pk: int | None = None) -> bool:
    # Sign-in accepts an email address, so the database keeps them unique ignoring case.
    return User.objects.filter(email__iexact=email).exclude(pk=exclude_pk).exists()


EMAIL_TAKEN = _("อีเมลนี้มีผู้ใช้อื่นใช้อยู่แล้ว กรุณาใช้อีเมลอื่น (อีเมลหนึ่งใช้ได้กับบัญชีเดียว)")


class ProfileForm(forms.ModelForm):
    """Name and contact details, as the person edits them on their profile."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "phone", "position"]
        labels = {
            "first_name": _("ชื่อ"),
            "last_name": _("นามสกุล"),
            "email": _("อีเมล"),
            "phone": _("โทรศัพท์"),
            "position": _("ตำแหน่ง"),
        }
        help_texts = {"email": _("ใช้เข้าสู่ระบบแทนชื่อผู้ใช้ได้ และใช้รับลิงก์ตั้งรหัสผ่านเมื่อลืมรหัสผ่าน")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        self.fields["first_name"].error_messages["required"] = _("กรุณากรอกชื่อ")
        self.fields["last_name"].error_messages["required"] = _("กรุณากรอกนามสกุล")
        self.fields["email"].error_messages["invalid"] = _("รูปแบบอีเมลไม่ถูกต้อง ตัวอย่างที่ถูก: somchai@dla.go.th")

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data.get("email", "").strip())
        if email and email_taken(email, exclude_pk=self.instance.pk):
            raise forms.ValidationError(EMAIL_TAKEN)
        return email


class NewUserForm(ProfileForm):
    """A new account; its first role comes from a RoleForm submitted alongside."""

    TEMPORARY = "temporary"
    EMAIL = "email"

    password_method = forms.ChoiceField(
        label=_("การตั้งรหัสผ่าน"),
        choices=[
            (TEMPORARY, _("สร้างรหัสผ่านชั่วคราว แสดงให้ฉันครั้งเดียวเพื่อแจ้งผู้ใช้")),
            (EMAIL, _("ส่งอีเมลให้ผู้ใช้ตั้งรหัสผ่านเอง (ต้องกรอกอีเมล)")),
        ],
        initial=TEMPORARY,
        widget=forms.RadioSelect,
    )

    class Meta(ProfileForm.Meta):
        fields = ["username", *ProfileForm.Meta.fields]
        labels = {**ProfileForm.Meta.labels, "username": _("ชื่อผู้ใช้")}
        help_texts = {
            **ProfileForm.Meta.help_texts,
            "username": _("ตัวอักษร ตัวเลข และ @ . + - _ ไม่เว้นวรรค ไม่เกิน 150 ตัวอักษร แนะนำภาษาอังกฤษ เช่น somchai.j"),
        }

    def clean_username(self) -> str:
        username = User.normalize_username(self.cleaned_data["username"].strip())
        try:
            UnicodeUsernameValidator()(username)
        except forms.ValidationError:
            raise forms.ValidationError(_("ชื่อผู้ใช้ใช้ได้เฉพาะตัวอักษร ตัวเลข และ @ . + - _ โดยไม่เว้นวรรค")) from None
        # Sign-in ignores case, so "Somchai" and "somchai" would be the same person at the door.
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("ชื่อผู้ใช้นี้มีอยู่แล้ว กรุณาเลือกชื่ออื่น"))
        return username

    def clean(self):
        data = super().clean()
        if data.get("password_method") == self.EMAIL and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("กรุณากรอกอีเมล หรือเลือกสร้างรหัสผ่านชั่วคราวแทน"))
        return data


class RoleForm(forms.Form):
    """One role with its scope, limited to what `manager` may grant."""

    kind = forms.ChoiceField(
        label=_("บทบาท"),
        error_messages={
            "required": _("กรุณาเลือกบทบาท"),
            "invalid_choice": _("ท่านไม่มีสิทธิ์มอบบทบาทนี้ กรุณาเลือกจากรายการ"),
        },
    )
    organization_code = forms.CharField(
        label=_("รหัส อปท."),
        required=False,
        max_length=20,
        help_text=_("7 หลัก เช่น 6810401 – กรอกเมื่อบทบาทเป็นเจ้าหน้าที่หรือผู้บริหาร อปท."),
    )
    province = forms.ModelChoiceField(
        label=_("จังหวัด"),
        queryset=Province.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("— เลือกจังหวัด —"),
        error_messages={"invalid_choice": _("จังหวัดที่เลือกอยู่นอกจังหวัดที่ท่านดูแล กรุณาเลือกจากรายการ")},
        help_text=_("เลือกเมื่อบทบาทเป็นคณะผู้ประเมินหรือสำนักงานท้องถิ่นจังหวัด"),
    )

    def __init__(self, *args, manager: User, user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.manager = manager
        self.user = user
        kinds = grantable_roles(manager)
        self.fields["kind"].choices = [("", _("— เลือกบทบาท —"))] + [
            (value, label) for value, label in Role.Kind.choices if value in kinds
        ]
        provinces = manager_provinces(manager)
        self.fields["province"].queryset = provinces
        if not scope_for(manager).national and len(scope_for(manager).manages_province_ids) == 1:
            self.fields["province"].initial = provinces.first()

    def clean_organization_code(self) -> str:
        code = "".join(self.cleaned_data["organization_code"].split())
        if code and not (code.isdigit() and len(code) == 7):
            raise forms.ValidationError(_("รหัส อปท. ต้องเป็นตัวเลข 7 หลัก เช่น 6810401"))
        return code

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if not kind or "organization_code" in self.errors:
            return data
        organization = province = None
        if kind in Role.ORGANIZATION_KINDS:
            code = data.get("organization_code")
            if not code:
                self.add_error("organization_code", _("บทบาทนี้ต้องระบุรหัส อปท. 7 หลัก"))
                return data
            organization = Organization.objects.with_places().filter(code=code).first()
            if organization is None:
                self.add_error(
                    "organization_code", _("ไม่พบ อปท. รหัส %(code)s ในทะเบียน กรุณาตรวจสอบรหัส") % {"code": code}
                )
                return data
        elif kind in Role.PROVINCE_KINDS:
            province = data.get("province")
            if province is None:
                self.add_error("province", _("บทบาทนี้ต้องเลือกจังหวัด"))
                return data
        refusal = grant_refusal(self.manager, kind=kind, organization=organization, province=province)
        if refusal:
            if kind in Role.ORGANIZATION_KINDS:
                self.add_error("organization_code", refusal)
            elif kind in Role.PROVINCE_KINDS:
                self.add_error("province", refusal)
            else:
                self.add_error("kind", refusal)
            return data
        if self.user is not None and find_role(self.user, kind=kind, organization=organization, province=province):
            self.add_error("kind", _("ผู้ใช้นี้มีบทบาทนี้อยู่แล้ว"))
            return data
        data["organization"] = organization
        data["province"] = province
        return data


class UserFilterForm(forms.Form):
    ACTIVE, INACTIVE = "active", "inactive"

    q = forms.CharField(label=_("ค้นหาชื่อ ชื่อผู้ใช้ หรืออีเมล"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("บทบาท"), required=False)
    province = forms.ModelChoiceField(
        label=_("จังหวัด"),
        queryset=Province.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("ทุกจังหวัด"),
    )
    organization = forms.CharField(label=_("รหัส อปท."), required=False, max_length=20)
    status = forms.ChoiceField(
        label=_("สถานะ"),
        required=False,
        choices=[("", _("ทั้งหมด")), (ACTIVE, _("ใช้งาน")), (INACTIVE, _("ระงับ"))],
    )

    def __init__(self, *args, manager: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("ทุกบทบาท")), *Role.Kind.choices]
        provinces = manager_provinces(manager)
        self.fields["province"].queryset = provinces
        # A provincial office with one province has nothing to choose.
        self.show_province = scope_for(manager).national or len(scope_for(manager).manages_province_ids) > 1

    def clean_organization(self) -> str:
        code = "".join(self.cleaned_data["organization"].split())
        if code and not (code.isdigit() and len(code) == 7):
            raise forms.ValidationError(_("รหัส อปท. ต้องเป็นตัวเลข 7 หลัก"))
        return code

    def filter(self, users: UserQuerySet) -> UserQuerySet:
        """Apply the fields that are valid; an invalid one is shown with its error and skipped."""
        data = getattr(self, "cleaned_data", {})
        for word in (data.get("q") or "").split():
            users = users.filter(
                Q(username__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
            )
        # Exists() rather than joins, so a user with several roles is listed once.
        roles = Role.objects.filter(user=OuterRef("pk"))
        if data.get("kind"):
            users = users.filter(Exists(roles.filter(kind=data["kind"])))
        if data.get("province"):
            province = data["province"]
            users = users.filter(
                Exists(roles.filter(Q(province=province) | Q(organization__district__province=province)))
            )
        if data.get("organization"):
            users = users.filter(Exists(roles.filter(organization__code=data["organization"])))
        if data.get("status") == self.ACTIVE:
            users = users.filter(is_active=True)
        elif data.get("status") == self.INACTIVE:
            users = users.filter(is_active=False)
        return users


class PasswordResetChoiceForm(forms.Form):
    TEMPORARY, EMAIL = NewUserForm.TEMPORARY, NewUserForm.EMAIL

    method = forms.ChoiceField(choices=[(TEMPORARY, TEMPORARY), (EMAIL, EMAIL)])


class UserImportForm(forms.Form):
    file = forms.FileField(
        label=_("ไฟล์รายชื่อผู้ใช้ (CSV หรือ XLSX)"),
        error_messages={
            "required": _("กรุณาเลือกไฟล์ CSV หรือ XLSX"),
            "empty": _("ไฟล์ที่เลือกว่างเปล่า กรุณาเลือกไฟล์ที่มีข้อมูล"),
        },
    )
    dry_run = forms.BooleanField(
        label=_("ทดลองนำเข้า (ตรวจสอบอย่างเดียว ยังไม่บันทึก)"),
        required=False,
        initial=True,
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        limit = settings.LPA_IMPORT_MAX_BYTES
        if uploaded.size > limit:
            raise forms.ValidationError(_("ไฟล์ใหญ่เกิน %(limit)s กรุณาแบ่งเป็นหลายไฟล์") % {"limit": filesizeformat(limit)})
        return uploaded
