// Interface text of the managers' screens (who is behind, reminders) and of notices, in vi and en.
import { state } from './state.js'

const TEXT = {
  vi: {
    export_xlsx: 'Tải Excel (.xlsx)',
    required_note: 'Tỉ lệ hoàn thành bài bắt buộc = số lượt (người × học phần bắt buộc) đã hoàn thành, mọi năm cho đến hôm nay, chia cho tổng số lượt phải học. Tỉ lệ này không đổi theo năm đang chọn; lượt quá hạn là lượt chưa xong sau ngày hạn.',
    behind_title: 'Ai đang chậm tiến độ', behind_link: 'Ai đang chậm tiến độ – danh sách, nhắc nhở',
    filter: 'Tình trạng', status_all: 'Tất cả cán bộ', search: 'Tìm theo tên', apply: 'Lọc',
    status: { behind: 'Chưa xong bài bắt buộc', overdue: 'Quá hạn bài bắt buộc', goal_not_met: 'Chưa đạt mục tiêu năm' },
    req_status: { completed: 'đã xong', overdue: 'quá hạn', in_progress: 'đang học', not_started: 'chưa học' },
    col_name: 'Họ và tên', col_unit: 'Đơn vị', col_goal: 'Mục tiêu năm', col_required: 'Bài bắt buộc',
    col_certificates: 'Chứng nhận', none_certificates: 'Chưa có',
    verify_certificate: (n, name) => `Xác minh chứng nhận ${n} của ${name}`,
    yes: 'Đạt', no: 'Chưa đạt', none_required: 'Không có', due: (d) => `hạn ${d}`,
    shown: (n) => `Đang hiện ${n} người.`, empty: 'Không có ai khớp với bộ lọc.', more: 'Xem thêm',
    export: 'Tải danh sách CSV (Excel)', back: 'Về thống kê',
    remind: 'Gửi nhắc nhở', remind_title: 'Nhắc những người đang lọc',
    remind_pick: 'Hãy chọn một tình trạng (ví dụ Quá hạn) để gửi nhắc nhở.',
    remind_message: 'Lời nhắn (không bắt buộc)', remind_send: 'Gửi nhắc nhở cho những người này',
    reminded: (n, m) => `Đã gửi nhắc nhở cho ${n} người.` + (m ? ` ${m} người đã được nhắc hôm nay nên không nhắc lại.` : ''),
    notices_title: 'Thông báo từ cơ quan', notice_seen: 'Đã xem',
    push_title: 'Thông báo nhắc nhở', push_label: 'Nhận nhắc nhở của cơ quan qua thông báo trên thiết bị này',
    push_unsupported: 'Trình duyệt này không nhận được thông báo. Nhắc nhở vẫn hiện trong ứng dụng.',
    push_denied: 'Bạn đã chặn thông báo của trang này. Hãy cho phép trong cài đặt trình duyệt.',
    push_on: 'Đã bật thông báo trên thiết bị này.', push_off: 'Đã tắt thông báo trên thiết bị này.',
    lagging_title: 'Đơn vị chậm nhất', lagging_apply: 'Xếp hạng', lagging_by: 'Xếp theo', lagging_depth: 'Cấp đơn vị',
    lagging_level: (n) => (n === 1 ? 'Đơn vị trực thuộc' : `${n} cấp bên dưới`),
    lagging_empty: 'Không có đơn vị nào ở cấp này.', lagging_more: (n) => `Đang hiện ${n} đơn vị chậm nhất.`,
    lagging_note: 'Từ tỉ lệ thấp nhất. Đường nhỏ là tỉ lệ cuối mỗi tháng trong 12 tháng; tỉ lệ đạt mục tiêu năm bắt đầu lại từ 0 mỗi tháng 1.',
    lagging_trend: (name, parts) => `${name}, 12 tháng: ${parts}`, lagging_no_figure: 'chưa có số liệu',
  },
  en: {
    export_xlsx: 'Download Excel (.xlsx)',
    required_note: 'Required modules done = completed (person × required module) pairs, in any year up to today, divided by all such pairs. It does not change with the year chosen; overdue counts pairs not done after their due date.',
    behind_title: 'Who is behind', behind_link: 'Who is behind – list and reminders',
    filter: 'Status', status_all: 'All civil servants', search: 'Search by name', apply: 'Filter',
    status: { behind: 'Required module not done', overdue: 'Required module overdue', goal_not_met: 'Yearly goal not met' },
    req_status: { completed: 'done', overdue: 'overdue', in_progress: 'in progress', not_started: 'not started' },
    col_name: 'Full name', col_unit: 'Unit', col_goal: 'Yearly goal', col_required: 'Required modules',
    col_certificates: 'Certificates', none_certificates: 'None yet',
    verify_certificate: (n, name) => `Verify certificate ${n} of ${name}`,
    yes: 'Met', no: 'Not met', none_required: 'None', due: (d) => `due ${d}`,
    shown: (n) => `Showing ${n} people.`, empty: 'Nobody matches the filter.', more: 'Show more',
    export: 'Download list as CSV (Excel)', back: 'Back to statistics',
    remind: 'Send reminder', remind_title: 'Remind the people in this list',
    remind_pick: 'Choose a status (for example Overdue) to send a reminder.',
    remind_message: 'Message (optional)', remind_send: 'Send a reminder to these people',
    reminded: (n, m) => `Reminder sent to ${n} people.` + (m ? ` ${m} were already reminded today and were skipped.` : ''),
    notices_title: 'Notices from your agency', notice_seen: 'Seen',
    push_title: 'Reminder notifications', push_label: 'Get my agency\u2019s reminders as notifications on this device',
    push_unsupported: 'This browser cannot receive notifications. Reminders still show in the app.',
    push_denied: 'You have blocked notifications for this site. Allow them in the browser settings.',
    push_on: 'Notifications are on for this device.', push_off: 'Notifications are off for this device.',
    lagging_title: 'Lagging units', lagging_apply: 'Rank', lagging_by: 'Rank by', lagging_depth: 'Units',
    lagging_level: (n) => (n === 1 ? 'Directly below' : `${n} levels below`),
    lagging_empty: 'There are no units at this level.', lagging_more: (n) => `Showing the ${n} lowest units.`,
    lagging_note: 'Lowest rate first. The small line is the rate at the end of each of the last 12 months; the yearly goal rate starts again from 0 each January.',
    lagging_trend: (name, parts) => `${name}, 12 months: ${parts}`, lagging_no_figure: 'no figure',
  },
}

/** The text for key in the app's language; functions are called with args. */
export function tm(key, ...args) {
  const value = TEXT[state.lang]?.[key] ?? TEXT.vi[key]
  return typeof value === 'function' ? value(...args) : value
}
