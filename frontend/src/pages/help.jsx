// Help: the official hotlines and addresses Hocso's lessons teach, each with the source the lesson cites, and how
// to use the app (listen, text size, install, password). Only numbers and addresses that appear in content/ with
// a cited official source belong here (tests/content/test_help_hotlines.py checks that every one does).
import { t } from '../i18n.js'
import { tl } from '../learner-text.js'
import { install, useInstallOffer } from '../lib/install.js'
import { useAppState } from '../state.js'

// Each line: how to reach it, what it is for, the lesson that teaches it, and the sources that lesson's module cites,
// under their own (Vietnamese) titles in both languages, so anyone can look them up.
const S = {
  child_decree: ['Nghị định 56/2017/NĐ-CP ngày 09/5/2017 quy định chi tiết một số điều của Luật Trẻ em', 'Chính phủ'],
  child_111: ['Khai trương Tổng đài điện thoại quốc gia về phòng, chống mua bán người 111 (19/9/2025), theo Nghị định 162/2025/NĐ-CP', 'Bộ Y tế'],
  spam_156: ['Triển khai đầu số 156 tiếp nhận phản ánh cuộc gọi rác, tin nhắn rác, cuộc gọi có dấu hiệu lừa đảo (từ 01/11/2022)', 'Bộ Thông tin và Truyền thông (nay là Bộ Khoa học và Công nghệ) và các doanh nghiệp viễn thông'],
  spam_site: ['Hệ thống tiếp nhận phản ánh tin nhắn rác, cuộc gọi rác', 'Cục An toàn thông tin'],
  police: ['Cổng thông tin điện tử Bộ Công an – khuyến cáo phòng, chống lừa đảo chiếm đoạt tài sản trên không gian mạng', 'Bộ Công an'],
  vneid: ['Ứng dụng định danh quốc gia VNeID và trang định danh điện tử', 'Bộ Công an'],
  portal: ['Cổng Dịch vụ công quốc gia', 'Chính phủ Việt Nam'],
}

const LINES = [
  {
    call: '111', sources: [S.child_decree, S.child_111], lesson: '/m/children-online/l/where-to-get-help',
    vi: {
      name: 'Tổng đài quốc gia bảo vệ trẻ em', lesson: 'Bảo vệ trẻ em trên mạng – Khi cần giúp đỡ',
      what: 'Trẻ em bị xâm hại, bạo lực, bóc lột, bỏ rơi hoặc có nguy cơ; từ tháng 9/2025 cả tin báo về mua bán người. Hoạt động 24 giờ mỗi ngày, không mất phí, ai cũng gọi được.',
    },
    en: {
      name: 'National child protection hotline', lesson: 'Protecting children online – When you need help',
      what: 'Children abused, hurt, exploited, abandoned or at risk; since September 2025 also reports of human trafficking. Open 24 hours a day, free, anyone can call.',
    },
  },
  {
    call: '156', web: 'https://thongbaorac.ais.gov.vn', sources: [S.spam_156, S.spam_site], lesson: '/m/phishing/l/report-and-recover',
    vi: {
      name: 'Phản ánh cuộc gọi rác, tin nhắn rác, lừa đảo', lesson: 'Nhận ra thư và tin nhắn giả mạo – Báo cáo và xử lý',
      what: 'Gọi 156 (miễn phí, từ tháng 11/2022), hoặc nhắn tin đến 5656 theo cú pháp nhà mạng hướng dẫn, hoặc báo trên trang của Cục An toàn thông tin.',
    },
    en: {
      name: 'Reporting spam and scam calls and texts', lesson: 'Spotting fake emails and messages – Reporting and recovering',
      what: 'Call 156 (free, since November 2022), or text 5656 in the format your carrier describes, or report on the Authority of Information Security\u2019s site.',
    },
  },
  {
    sources: [], lesson: '/m/after-a-scam',
    vi: {
      name: 'Ngân hàng của bạn', lesson: 'Cần làm gì sau khi bị lừa',
      what: 'Đã lộ số thẻ, mã OTP hoặc thấy giao dịch lạ: gọi ngay tổng đài ngân hàng theo số in trên thẻ hoặc trong ứng dụng chính thức để khóa thẻ, khóa tài khoản. Không gọi số ghi trong tin nhắn đáng ngờ.',
    },
    en: {
      name: 'Your bank', lesson: 'What to do after a scam',
      what: 'You gave away a card number or OTP code, or see a strange transaction: call your bank at once, on the number printed on your card or shown in its official app, to block the card and the account. Never call a number from a suspicious message.',
    },
  },
  {
    web: 'https://bocongan.gov.vn', sources: [S.police], lesson: '/m/after-a-scam/l/report-to-police',
    vi: {
      name: 'Công an xã, phường', lesson: 'Cần làm gì sau khi bị lừa – Trình báo công an',
      what: 'Bị lừa mất tiền, bị đe dọa, tống tiền trên mạng: trình báo trực tiếp tại Công an xã, phường nơi bạn ở hoặc gần nhất. Công an không thu phí để “lấy lại tiền”.',
    },
    en: {
      name: 'Your commune or ward police', lesson: 'What to do after a scam – Reporting to the police',
      what: 'Lost money to a scam, threatened or blackmailed online: report in person at the police office of your commune or ward, or the nearest one. The police never charge to “get your money back”.',
    },
  },
  {
    web: 'https://vneid.gov.vn', sources: [S.vneid], lesson: '/m/vneid-account',
    vi: {
      name: 'Định danh điện tử VNeID', lesson: 'Tài khoản định danh điện tử VNeID',
      what: 'Trang chính thức của VNeID. Chỉ cài ứng dụng VNeID từ CH Play hoặc App Store, không cài qua đường link người lạ gửi.',
    },
    en: {
      name: 'VNeID electronic identity', lesson: 'Your VNeID electronic identity account',
      what: 'The official VNeID site. Install the VNeID app only from Google Play or the App Store, never from a link a stranger sends.',
    },
  },
  {
    web: 'https://dichvucong.gov.vn', sources: [S.portal], lesson: '/m/public-service-portal',
    vi: {
      name: 'Cổng Dịch vụ công quốc gia', lesson: 'Nộp hồ sơ trên Cổng Dịch vụ công quốc gia',
      what: 'Nộp hồ sơ, tra cứu, thanh toán phí dịch vụ công. Cần giúp: hỏi bộ phận một cửa của xã, phường.',
    },
    en: {
      name: 'National Public Service Portal', lesson: 'Submitting an application on the National Public Service Portal',
      what: 'Apply, track and pay fees for public services. For help, ask the one-stop desk of your commune or ward.',
    },
  },
]

const HOW = {
  vi: {
    lines: 'Đường dây nóng và trang chính thức', as_of: 'Thông tin lấy từ các bài của Hocso, đúng tại thời điểm biên soạn (12/2026). Số gọi là số ngắn, không cần mã vùng.',
    call: (n) => `Gọi ${n}`, source: 'Nguồn:', lesson: 'Học thêm trên Hocso:', app: 'Dùng Hocso',
    listen: 'Nghe đọc: trong mỗi bài và mỗi câu hỏi có nút “Nghe đọc”. Nếu điện thoại chưa có giọng tiếng Việt, Hocso chỉ cách cài.',
    install_manual: 'Cài lên màn hình chính: trong Chrome, bấm ⋮ → “Thêm vào màn hình chính” hoặc “Cài đặt ứng dụng”. Trên iPhone, trong Safari bấm nút Chia sẻ → “Thêm vào MH chính”.',
    install_now: 'Cài Hocso ngay',
  },
  en: {
    lines: 'Hotlines and official sites', as_of: 'Taken from Hocso\u2019s lessons, correct when they were written (December 2026). The numbers are short numbers: no area code.',
    call: (n) => `Call ${n}`, source: 'Source:', lesson: 'Learn more on Hocso:', app: 'Using Hocso',
    listen: 'Listen: every lesson and quiz question has a “Listen” button. If the phone has no Vietnamese voice, Hocso says how to add one.',
    install_manual: 'Add to your home screen: in Chrome, tap ⋮ → “Add to Home screen” or “Install app”. On an iPhone, in Safari tap Share → “Add to Home Screen”.',
    install_now: 'Install Hocso now',
  },
}

// One line of LINES as a card: its name, the number to call, what it is for, its site, its sources, its lesson.
function Hotline({ line, text, how }) {
  return (
    <li class="card hotline">
      <h3>{text.name}</h3>
      {line.call && <p><a class="button" href={`tel:${line.call}`}>{how.call(line.call)}</a></p>}
      <p>{text.what}</p>
      {line.web && <p class="web"><a href={line.web} target="_blank" rel="noopener noreferrer">{line.web.replace('https://', '')}</a></p>}
      {line.sources.length > 0 && (
        <p class="muted source">{how.source} {line.sources.map(([title, publisher], i) => (
          <span key={title}>{i > 0 && '; '}<cite lang="vi">{title}</cite> (<span lang="vi">{publisher}</span>)</span>
        ))}</p>
      )}
      <p>{how.lesson} <a href={line.lesson}>{text.lesson}</a></p>
    </li>
  )
}

export function Help() {
  const s = useAppState()
  const offer = useInstallOffer({ evenIfDismissed: true })
  const how = HOW[s.lang]
  return (
    <>
      <h1 tabIndex={-1}>{tl('help_title')}</h1>
      <section aria-labelledby="lines-title">
        <h2 id="lines-title">{how.lines}</h2>
        <p class="muted">{how.as_of}</p>
        <ul class="plain hotlines">
          {LINES.map((line) => <Hotline key={line.lesson} line={line} text={line[s.lang]} how={how} />)}
        </ul>
      </section>
      <section aria-labelledby="app-title">
        <h2 id="app-title">{how.app}</h2>
        <ul>
          <li><a href="/settings">{tl('display_link')}</a></li>
          <li>{how.listen}</li>
          <li><a href="/forgot">{tl('forgot_link')}</a></li>
          <li>{how.install_manual}</li>
        </ul>
        {offer && <p><button type="button" class="button" onClick={install}>{how.install_now}</button></p>}
      </section>
      <p><a href="/">{t('go_home')}</a></p>
    </>
  )
}
