"""Write each partner's payments and suppliers in that partner's own published layout.

Each writer imitates quirks seen in real GM councils' files (shared/data/real/PROVENANCE.md):
Trafford's column set, literal `NA`s and 35-character names; Stockport's `£`/comma/space amounts,
`*Redact - Personal Information` payees and runs of empty `,,,,` lines; a Windows-1252 file with a
title line and `03-Apr-19` dates (Rochdale here); a quarterly publisher with bracketed credits
(Tameside here), whose supplier list is an Excel workbook.
"""

from __future__ import annotations

import calendar
import csv
import io
import random
from collections import defaultdict
from pathlib import Path

from openpyxl import Workbook

from ingestion.samples.world import Firm, Payment, World


def _pounds(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def _pounds_commas(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100:,}.{abs(pence) % 100:02d}"


def _write_csv(path: Path, header: list[str], rows: list[list], encoding="utf-8", preamble=(), trailing_blank=0):
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    for line in preamble:
        buffer.write(line + "\r\n")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    buffer.write(("," * (len(header) - 1) + "\r\n") * trailing_blank)
    path.write_bytes(buffer.getvalue().encode(encoding))


def _messy_postcode(rng: random.Random, postcode: str | None, style: str | None) -> str | None:
    if style == "missing" or postcode is None:
        return None
    if style == "invalid":
        return rng.choice(["N/A", "TBC", "UNKNOWN", "See address"])
    roll = rng.random()
    if roll < 0.06:
        return postcode.replace(" ", "").lower()
    if roll < 0.10:
        return "  " + postcode.replace(" ", "   ") + " "
    if roll < 0.16 and postcode.split(" ")[1].startswith("0"):
        outward, inward = postcode.split(" ")
        return f"{outward} O{inward[1:]}"  # letter O typed for zero
    return postcode


class PartnerBook:
    """A partner's own view of the firms it pays: its vendor references and spelling of names."""

    def __init__(self, partner: str, firms: dict[int, Firm], ref_format: str, name_style: str, rng):
        self.partner = partner
        self.firms = firms
        self.refs: dict[int, str] = {}
        self.ref_format = ref_format
        self.name_style = name_style
        self.rng = rng

    def ref(self, firm_id: int) -> str:
        if firm_id not in self.refs:
            self.refs[firm_id] = self.ref_format.format(len(self.refs) + 101)
        return self.refs[firm_id]

    def name(self, firm_id: int) -> str:
        name = self.firms[firm_id].name
        if self.name_style == "upper_limited":
            name = name.upper().replace(" LTD", " LIMITED")
        elif self.name_style == "truncate35":
            name = name[:35]
        elif self.name_style == "ltd":
            name = name.replace(" Limited", " Ltd")
        return name

    def supplier_rows(self) -> list[dict]:
        rows = []
        for firm_id in sorted(self.refs, key=lambda f: self.refs[f]):
            firm = self.firms[firm_id]
            rows.append(
                {
                    "ref": self.refs[firm_id],
                    "name": self.name(firm_id),
                    "postcode": _messy_postcode(self.rng, firm.postcode, firm.unknown_style),
                    "company": firm.company_number,
                    "charity": firm.charity_number,
                    "vat": firm.vat_number,
                }
            )
        return rows


def _by_month(payments: list[Payment]) -> dict[tuple[int, int], list[Payment]]:
    months = defaultdict(list)
    for p in payments:
        months[(p.payment_date.year, p.payment_date.month)].append(p)
    return months


def write_stockport(out: Path, payments: list[Payment], book: PartnerBook, rng: random.Random):
    header = [
        "Department",
        "Service Area",
        "Expense Type",
        "Date Paid",
        "Transaction Number",
        "Supplier Name",
        "Supplier ID",
        "Amount",
    ]
    tx = 4_100_000
    for (year, month), items in sorted(_by_month(payments).items()):
        rows = []
        for p in items:
            tx += 1
            pence = p.amount_pence
            style = rng.random()
            if pence < 0:
                amount = f"-£{_pounds_commas(-pence)}"
            elif pence % 100 == 0 and style < 0.5:
                amount = str(pence // 100)
            elif style < 0.75:
                amount = f" {_pounds_commas(pence)} "
            else:
                amount = f"£{_pounds_commas(pence)}"
            if p.firm_id is None:
                name, ref = "*Redact - Personal Information", ""
            else:
                name, ref = book.name(p.firm_id), book.ref(p.firm_id)
            rows.append(
                [
                    "Place Directorate" if "Highways" in p.service_area else "People Directorate",
                    p.service_area,
                    p.expense_type,
                    p.payment_date.strftime("%d/%m/%Y"),
                    tx,
                    name,
                    ref,
                    amount,
                ]
            )
        # One month carries a long run of empty ,,,, lines, as a real Stockport file did.
        trailing = 3000 if (year, month) == (2019, 7) else 0
        _write_csv(out / f"stockport_spend_{year}-{month:02d}.csv", header, rows, trailing_blank=trailing)


def write_trafford(out: Path, payments: list[Payment], book: PartnerBook, rng: random.Random):
    header = [
        "OrganisationLabel",
        "OrganisationURI",
        "EffectiveDate",
        "OrganisationalUnit",
        "BeneficiaryName",
        "BeneficiaryOtherID",
        "PaymentDate",
        "TransactionNumber",
        "Amount",
        "IrrecoverableVATAmount",
        "Purpose",
        "ProclassLabel",
        "ProclassCode",
        "InvoiceNumber",
        "ProfitCentre",
        "VATRegistrationNumber",
    ]
    tx = 5_100_000_000
    for (year, month), items in sorted(_by_month(payments).items()):
        last_day = calendar.monthrange(year, month)[1]
        rows = []
        for p in items:
            tx += 1
            firm = book.firms.get(p.firm_id) if p.firm_id else None
            rows.append(
                [
                    "Trafford Council",
                    "https://opendatacommunities.org/id/metropolitan-district-council/trafford",
                    f"{year}-{month:02d}-{last_day}",
                    p.service_area,
                    "Redacted" if firm is None or p.firm_id is None else book.name(p.firm_id),
                    "NA" if firm is None or p.firm_id is None else book.ref(p.firm_id),
                    p.payment_date.isoformat(),
                    tx,
                    _pounds(p.amount_pence),
                    "0.00",
                    p.expense_type,
                    "Not Classified" if rng.random() < 0.3 else f"SERVICES : {p.expense_type}",
                    "NA" if rng.random() < 0.3 else str(rng.randint(100000, 399999)),
                    rng.randint(10000, 99999999),
                    rng.randint(100000, 999999),
                    (firm.vat_number if firm and firm.vat_number else "NA"),
                ]
            )
        _write_csv(out / f"trafford-supplier-spend-{year}-{month:02d}.csv", header, rows)


def write_rochdale(out: Path, payments: list[Payment], book: PartnerBook, rng: random.Random):
    header = ["Directorate", "Cost Centre", "Payment Date", "Supplier", "Vendor No", "Net Amount", "Description"]
    for (year, month), items in sorted(_by_month(payments).items()):
        rows = []
        for p in items:
            amount = (
                f"£{_pounds_commas(p.amount_pence)}" if p.amount_pence >= 0 else f"-£{_pounds_commas(-p.amount_pence)}"
            )
            name = "REDACTED" if p.firm_id is None else book.name(p.firm_id)
            ref = "" if p.firm_id is None else book.ref(p.firm_id)
            rows.append(
                [
                    p.service_area,
                    f"RB{rng.randint(1000, 9999)}",
                    p.payment_date.strftime("%d-%b-%y"),
                    name,
                    ref,
                    amount,
                    f"{p.expense_type} \u2013 caf\u00e9 & venue\u2019s costs"
                    if rng.random() < 0.05
                    else p.expense_type,
                ]
            )
        month_name = calendar.month_abbr[month]
        _write_csv(
            out / f"Rochdale Payments {month_name} {year}.csv",
            header,
            rows,
            encoding="cp1252",
            preamble=["Rochdale Borough Council - Payments to suppliers", ""],
        )


def write_tameside(out: Path, payments: list[Payment], book: PartnerBook, rng: random.Random):
    header = [
        "Body Name",
        "Service Label",
        "Expenditure Category",
        "Date",
        "Transaction ID",
        "Supplier Name",
        "Supplier Reference",
        "Amount (£)",
    ]
    quarters = defaultdict(list)
    for p in payments:
        fy = p.payment_date.year if p.payment_date.month >= 4 else p.payment_date.year - 1
        quarters[(fy, (p.payment_date.month - 4) % 12 // 3 + 1)].append(p)
    tx = 0
    for (fy, quarter), items in sorted(quarters.items()):
        rows = []
        for p in sorted(items, key=lambda p: p.payment_date):
            tx += 1
            amount = _pounds(p.amount_pence) if p.amount_pence >= 0 else f"({_pounds(-p.amount_pence)})"
            name = "REDACTED PERSONAL DATA" if p.firm_id is None else book.name(p.firm_id)
            ref = "" if p.firm_id is None else book.ref(p.firm_id)
            rows.append(
                [
                    "Tameside MBC",
                    p.service_area,
                    p.expense_type,
                    p.payment_date.strftime("%d/%m/%Y"),
                    f"TMBC{tx:07d}",
                    name,
                    ref,
                    amount,
                ]
            )
        _write_csv(out / f"Tameside_Spend_{fy}-{(fy + 1) % 100:02d}_Q{quarter}.csv", header, rows, encoding="utf-8-sig")


def _published_company_number(rng: random.Random, firm: Firm) -> str | None:
    """A company number as finance exports print it: often blank, zeros dropped, or 'N/A'."""
    roll = rng.random()
    if firm.company_number is None:
        return "N/A" if roll < 0.3 else None
    if roll < 0.35:
        return firm.company_number.lstrip("0")
    if roll < 0.45:
        return firm.company_number
    return "N/A" if roll < 0.55 else None


def write_bury(out: Path, payments: list[Payment], firms: dict[int, Firm], rng: random.Random):
    """Quarterly Excel workbooks (Bury publishes xlsx only) with no vendor ID and no postcode:
    the payee's name in capitals, and a company number on some rows."""
    header = [
        "Department",
        "Service",
        "Payment Date",
        "Transaction Ref",
        "Supplier Name",
        "Company Registration Number",
        "Net Amount",
    ]
    quarters = defaultdict(list)
    for p in payments:
        fy = p.payment_date.year if p.payment_date.month >= 4 else p.payment_date.year - 1
        quarters[(fy, (p.payment_date.month - 4) % 12 // 3 + 1)].append(p)
    out.mkdir(parents=True, exist_ok=True)
    tx = 0
    numbers: dict[int, str | None] = {}
    for (fy, quarter), items in sorted(quarters.items()):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Payments"
        sheet.append(header)
        for p in sorted(items, key=lambda p: p.payment_date):
            tx += 1
            if p.firm_id is None:
                name, number = "Name withheld (personal data)", None
            else:
                firm = firms[p.firm_id]
                name = firm.name.upper()
                if p.firm_id not in numbers:
                    numbers[p.firm_id] = _published_company_number(rng, firm)
                number = numbers[p.firm_id]
            sheet.append(
                ["Bury Council", p.service_area, p.payment_date, f"BMBC-{tx:07d}", name, number, p.amount_pence / 100]
            )
        workbook.save(out / f"Bury Spend {fy}-{(fy + 1) % 100:02d} Q{quarter}.xlsx")


def write_supplier_list(partner: str, out: Path, book: PartnerBook):
    rows = book.supplier_rows()
    out.mkdir(parents=True, exist_ok=True)
    if partner == "stockport":
        _write_csv(
            out / "stockport_suppliers.csv",
            ["Supplier ID", "Supplier Name", "Postcode", "Company Reg No", "Charity No", "VAT No"],
            [
                [r["ref"], r["name"], r["postcode"] or "", r["company"] or "", r["charity"] or "", r["vat"] or ""]
                for r in rows
            ],
        )
    elif partner == "trafford":
        _write_csv(
            out / "trafford-suppliers.csv",
            ["VendorID", "VendorName", "PostCode", "CompanyNumber", "CharityNumber", "VATRegistrationNumber"],
            [
                [
                    r["ref"],
                    r["name"],
                    r["postcode"] or "NA",
                    r["company"] or "NA",
                    r["charity"] or "NA",
                    r["vat"] or "NA",
                ]
                for r in rows
            ],
        )
    elif partner == "rochdale":
        _write_csv(
            out / "Rochdale Vendors.csv",
            ["Vendor No", "Vendor Name", "Post Code", "Companies House No", "Registered Charity No", "VAT Reg"],
            [
                [r["ref"], r["name"], r["postcode"] or "", r["company"] or "", r["charity"] or "", r["vat"] or ""]
                for r in rows
            ],
            encoding="cp1252",
        )
    elif partner == "tameside":
        book_xlsx = Workbook()
        sheet = book_xlsx.active
        sheet.title = "Suppliers"
        sheet.append(
            ["Supplier Reference", "Supplier", "Address Postcode", "Company Number", "Charity Number", "VAT Number"]
        )
        for r in rows:
            sheet.append([r["ref"], r["name"], r["postcode"], r["company"], r["charity"], r["vat"]])
        book_xlsx.save(out / "Tameside_Suppliers.xlsx")


PARTNER_STYLE = {
    "stockport": ("S{:06d}", "ltd", write_stockport),
    "trafford": ("{:d}", "truncate35", write_trafford),
    "rochdale": ("V{:05d}", "as_is", write_rochdale),
    "tameside": ("TMBC-{:05d}", "upper_limited", write_tameside),
}


def write_partner_feeds(world: World, landing: Path, rng: random.Random) -> None:
    for partner, (ref_format, name_style, writer) in PARTNER_STYLE.items():
        book = PartnerBook(partner, world.firms, ref_format, name_style, rng)
        payments = [p for p in world.payments if p.partner == partner]
        writer(landing / partner / "spend", payments, book, rng)
        # The supplier list holds every firm the partner paid, and some it has not paid yet.
        for firm_id in rng.sample(sorted(world.firms), 25):
            book.ref(firm_id)
        write_supplier_list(partner, landing / partner / "suppliers", book)
    # Its own random stream, so the STAR partners' files stay exactly as they were.
    write_bury(
        landing / "bury" / "spend",
        [p for p in world.payments if p.partner == "bury"],
        world.firms,
        random.Random(rng.random()),
    )
