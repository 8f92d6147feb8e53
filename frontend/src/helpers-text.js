// Interface text of the community digital team helper's screens and of the assisted-session banner, in vi and en.
import { state } from './state.js'

const TEXT = {
  vi: {
    nav: 'Hỗ trợ người dân',
    title: 'Hỗ trợ người dân học số',
    unit: 'Đơn vị', choose_unit: 'Chọn đơn vị',
    intro: 'Đăng ký cho người dân chưa có điện thoại thông minh, rồi mở phiên hỗ trợ để họ học trên thiết bị này.',
    register_title: 'Đăng ký người dân',
    full_name: 'Họ và tên', phone: 'Số điện thoại (nếu có)', phone_hint: 'Không bắt buộc: nhiều người không có điện thoại riêng.',
    consent_title: 'Sự đồng ý của người dân', consent_read: 'Đọc cho người dân nghe nội dung sau:',
    consent_box: 'Người dân đã nghe nội dung trên và đồng ý',
    consent_version: (v) => `Phiên bản nội dung: ${v}`,
    register: 'Đăng ký', registered: (name) => `Đã đăng ký ${name}.`,
    code_sent: (to) => `Đã gửi mã xác nhận tới ${to}. Hỏi người dân mã trong tin nhắn rồi nhập vào đây.`,
    code: 'Mã xác nhận', confirm: 'Xác nhận', restart: 'Đăng ký lại',
    list_title: 'Người dân đã đăng ký', none: 'Chưa có ai.',
    registered_on: (d) => `đăng ký ngày ${d}`,
    start: (name) => `Bắt đầu phiên hỗ trợ cho ${name}`, start_short: 'Bắt đầu phiên hỗ trợ',
    banner: (name) => `Phiên hỗ trợ cho ${name}`,
    banner_note: 'Đang học trên thiết bị dùng chung, có người hỗ trợ. Kết thúc phiên khi học xong.',
    end: 'Kết thúc phiên hỗ trợ',
    not_helper: 'Trang này dành cho thành viên tổ công nghệ số cộng đồng.',
  },
  en: {
    nav: 'Help citizens',
    title: 'Helping citizens learn',
    unit: 'Unit', choose_unit: 'Choose a unit',
    intro: 'Register citizens who have no smartphone, then start an assisted session so they learn on this device.',
    register_title: 'Register a citizen',
    full_name: 'Full name', phone: 'Phone number (if any)', phone_hint: 'Optional: many people have no phone of their own.',
    consent_title: 'The citizen\u2019s consent', consent_read: 'Read the following to the citizen:',
    consent_box: 'The citizen has heard the text above and agrees',
    consent_version: (v) => `Text version: ${v}`,
    register: 'Register', registered: (name) => `${name} is registered.`,
    code_sent: (to) => `A confirmation code was sent to ${to}. Ask the citizen for the code in the message and type it here.`,
    code: 'Confirmation code', confirm: 'Confirm', restart: 'Start again',
    list_title: 'Citizens registered', none: 'No one yet.',
    registered_on: (d) => `registered on ${d}`,
    start: (name) => `Start assisted session for ${name}`, start_short: 'Start assisted session',
    banner: (name) => `Assisted session for ${name}`,
    banner_note: 'Learning on a shared device with a helper. End the session when done.',
    end: 'End assisted session',
    not_helper: 'This page is for community digital team helpers.',
  },
}

/** The text for key in the app's language; functions are called with args. */
export function th(key, ...args) {
  const value = TEXT[state.lang]?.[key] ?? TEXT.vi[key]
  return typeof value === 'function' ? value(...args) : value
}

/** The units where the signed-in person may help citizens (a helper's, or an agency admin's). */
export function helperUnits(me) {
  return (me?.scopes || []).filter((s) => (s.kind === 'helper' || s.kind === 'agency_admin') && s.agency).map((s) => s.agency)
}
