"""Hosts where anyone can publish a page: official there only by the exact URL.

A scammer can open `closeout-help.zendesk.com`, a Google Site or a Linktree page in minutes,
so on these hosts the guard never trusts the registrable domain (`zendesk.com`,
`google.com`): a page is official only when its exact URL is one of the directory's.

Sources:
- the Public Suffix List's PRIVATE section (publicsuffix.org, "===BEGIN PRIVATE DOMAINS===",
  in the snapshot tldextract bundles): every suffix there (github.io, gitlab.io, netlify.app,
  vercel.app, pages.dev, web.app, wixsite.com, blogspot.com, notion.site, herokuapp.com, ...)
  is a shared platform by definition, so the guard asks tldextract's `is_private` rather than
  repeating those here;
- the platforms' own pages for those the PRIVATE section leaves out, listed below: where
  their help says a customer's pages live (Zendesk "your subdomain.zendesk.com", Freshdesk
  "yourcompany.freshdesk.com", Google Sites "sites.google.com/view/...", Google Forms
  "docs.google.com/forms/..." and "forms.gle/...", Linktree "linktr.ee/yourname", Notion
  "notion.so/..." and "notion.site", Wix "wixsite.com" and "wix.com/...", and the Chinese
  form and document services 问卷星, 金数据, 腾讯文档, 语雀, 石墨, 飞书).

Each entry: a host, matched with its subdomains, and the platform's name as people know it.
"""

SHARED_HOSTS: dict[str, str] = {
    # Google: pages, forms, files and scripts anyone with an account publishes.
    "sites.google.com": "Google Sites",
    "docs.google.com": "Google Docs and Forms",
    "forms.gle": "Google Forms",
    "drive.google.com": "Google Drive",
    "script.google.com": "Google Apps Script",
    "googleusercontent.com": "Google",
    "storage.googleapis.com": "Google Cloud Storage",
    "firebasestorage.googleapis.com": "Firebase",
    # Microsoft
    "forms.office.com": "Microsoft Forms",
    "forms.microsoft.com": "Microsoft Forms",
    "sharepoint.com": "SharePoint",
    "onedrive.live.com": "OneDrive",
    "1drv.ms": "OneDrive",
    # Help desks: every customer company gets a subdomain.
    "zendesk.com": "Zendesk",
    "freshdesk.com": "Freshdesk",
    "freshservice.com": "Freshservice",
    "helpscoutdocs.com": "Help Scout",
    "intercom.help": "Intercom",
    "gitbook.io": "GitBook",
    # Site builders, blogs and link pages.
    "wix.com": "Wix",
    "wixsite.com": "Wix",
    "weebly.com": "Weebly",
    "squarespace.com": "Squarespace",
    "webflow.io": "Webflow",
    "carrd.co": "Carrd",
    "wordpress.com": "WordPress.com",
    "medium.com": "Medium",
    "notion.so": "Notion",
    "notion.site": "Notion",
    "linktr.ee": "Linktree",
    "lnk.bio": "Lnk.Bio",
    "beacons.ai": "Beacons",
    "taplink.cc": "Taplink",
    "github.com": "GitHub",
    "gist.github.com": "GitHub",
    "raw.githubusercontent.com": "GitHub",
    # Forms and surveys.
    "typeform.com": "Typeform",
    "jotform.com": "Jotform",
    "surveymonkey.com": "SurveyMonkey",
    "wjx.cn": "问卷星",
    "wjx.top": "问卷星",
    "jinshuju.net": "金数据",
    "jsj.top": "金数据",
    "docs.qq.com": "腾讯文档",
    "yuque.com": "语雀",
    "shimo.im": "石墨文档",
    "feishu.cn": "飞书",
}
